package dev.gatehouse.config;

/**
 * Who may use the admin API ({@code node.admin}'s long form). {@code write} (null: none) is needed for every
 * change; {@code read} (null: reads are open) protects what the API shows. The write token reads too.
 */
public record AdminAccess(AdminToken write, AdminToken read) {

    /** The short form {@code admin: HOST:PORT}: reads open, no writes. */
    public static final AdminAccess READ_ONLY = new AdminAccess(null, null);
}
