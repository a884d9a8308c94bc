package dev.gatehouse.tls;

import dev.gatehouse.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Test certificates made with the openssl CLI (and keytool for an expired one) in a temp dir: a test CA, and leaves
 * it signed, ECDSA P-256 or RSA-2048, with the names given as DNS SANs. Each leaf's cert file holds its chain (leaf,
 * then the CA), so chain files are read as they are in production.
 */
public final class TestCerts {

    /** A leaf: its chain file and its key file (PKCS#8). */
    public record Leaf(Path cert, Path key) {}

    final Path dir;
    final Path ca;

    private TestCerts(Path dir) {
        this.dir = dir;
        this.ca = dir.resolve("ca.crt");
    }

    /** A CA in {@code dir}, valid 30 days. */
    public static TestCerts in(Path dir) throws IOException, InterruptedException {
        Tools.require("openssl", "openssl");
        Commands.ok(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", "/CN=Gatehouse Test CA");
        return new TestCerts(dir);
    }

    public Leaf ecdsa(String file, String... names) throws IOException, InterruptedException {
        return leaf(file, List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"), names);
    }

    Leaf rsa(String file, String... names) throws IOException, InterruptedException {
        return leaf(file, List.of("-newkey", "rsa:2048"), names);
    }

    private Leaf leaf(String file, List<String> keySpec, String... names) throws IOException, InterruptedException {
        Path ext = dir.resolve(file + ".ext");
        Files.writeString(ext, "subjectAltName=" + String.join(",", List.of(names).stream().map(n -> "DNS:" + n).toList()) + "\n");
        List<String> req = new java.util.ArrayList<>(List.of("openssl", "req"));
        req.addAll(keySpec);
        req.addAll(List.of("-nodes", "-keyout", file + ".key", "-out", file + ".csr", "-subj", "/CN=" + names[0]));
        Commands.ok(dir, req.toArray(String[]::new));
        Commands.ok(dir, "openssl", "x509", "-req", "-in", file + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "30", "-extfile", ext.getFileName().toString(), "-out", file + ".leaf");
        Path chain = dir.resolve(file + ".crt");
        Files.writeString(chain, Files.readString(dir.resolve(file + ".leaf")) + Files.readString(ca));
        return new Leaf(chain, dir.resolve(file + ".key"));
    }

    /** A self-signed ECDSA certificate that expired in 2020, made with keytool (openssl 3.0 cannot backdate). */
    Leaf expired(String file, String name) throws IOException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Tools.require(keytool, "the JDK that runs the tests");
        Commands.ok(dir, keytool, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "x", "-dname", "CN=" + name,
                "-startdate", "2020/01/01 00:00:00", "-validity", "2", "-storetype", "pkcs12", "-keystore", file + ".p12",
                "-storepass", "changeit");
        Commands.ok(dir, "openssl", "pkcs12", "-in", file + ".p12", "-nokeys", "-out", file + ".crt", "-passin", "pass:changeit");
        Commands.ok(dir, "openssl", "pkcs12", "-in", file + ".p12", "-nocerts", "-nodes", "-out", file + ".key", "-passin",
                "pass:changeit");
        return new Leaf(dir.resolve(file + ".crt"), dir.resolve(file + ".key"));
    }
}
