package dev.gatehouse.config;

/** The process-local section: who this process is and where its admin API listens (null: none). */
public record NodeConfig(String id, HostPort admin) {}
