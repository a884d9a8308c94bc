package dev.gatehouse.cluster;

import java.util.List;

/** How a proposed config change ended: committed as {@code committed}, or refused with {@code errors}. */
public record ConfigProposal(ReplicatedConfig committed, List<String> errors) {

    public ConfigProposal {
        errors = List.copyOf(errors);
    }

    static ConfigProposal accepted(ReplicatedConfig committed) {
        return new ConfigProposal(committed, List.of());
    }

    static ConfigProposal refused(List<String> errors) {
        return new ConfigProposal(null, errors);
    }

    public boolean accepted() {
        return committed != null;
    }
}
