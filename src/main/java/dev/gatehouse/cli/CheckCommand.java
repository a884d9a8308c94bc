package dev.gatehouse.cli;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", description = "Validate a config file: exit 0, or print every error as FILE:LINE key.path: why and exit 2.")
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the config file")
    Path file;

    @Override
    public Integer call() {
        ConfigResult result = ConfigLoader.load(file);
        if (!result.isValid()) {
            result.errorLines().forEach(System.err::println);
            System.err.println(result.errorLines().size() + " error(s); nothing would be applied");
            return GatehouseCommand.INVALID;
        }
        result.warningLines().forEach(System.err::println);
        var c = result.config();
        System.out.printf("%s: ok (%d listener(s), %d pool(s)%s%s)%n", file, c.listeners().size(), c.pools().size(),
                c.cluster() == null ? "" : ", cluster " + c.cluster().name(),
                c.gslb() == null ? "" : ", DNS zone " + c.gslb().zone() + " with " + c.gslb().records().size() + " record set(s)");
        return 0;
    }
}
