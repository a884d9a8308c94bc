package dev.gatehouse.bgp;

/** An UPDATE this speaker sends: one host route announced with its attributes, or withdrawn. */
record RouteUpdate(Route route, boolean withdraw, PathAttributes attributes) implements BgpMessage {}
