package dev.gatehouse.config;

/** What a listener speaks to its clients. */
public enum Protocol { HTTP, TCP }
