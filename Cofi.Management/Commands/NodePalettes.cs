using static Cofi.Management.Verbs;

namespace Cofi.Management;

/// <summary>The palettes every Cofi node offers: cluster membership, the node itself, its actors.</summary>
public static class NodePalettes
{
    private static readonly CommandParameter Address = Arg("address", "a member's address (akka.tcp://cofi@HOST:PORT, or HOST:PORT)", @in: "body", completion: "member");

    public static readonly CommandPalette Cluster = new("cluster", "cluster membership, as this node sees it", null,
    [
        Get("show", "members with roles, status and reachability; the leader, the oldest member and where the singleton runs", "/api/cluster", view: "cluster"),
        Get("leader", "the leader of the cluster", "/api/cluster/leader"),
        Post("join", "this node joins the cluster at ADDRESS", "/api/cluster/join", [Address]),
        Post("leave", "a member leaves gracefully; without an address, the node you are connected to (a GPU node drains first)", "/api/cluster/leave",
            [Address with { Required = false }]),
        Post("down", "mark a member down: the cluster stops waiting for it", "/api/cluster/down", [Address], confirm: true),
        Post("down-unreachable", "mark every unreachable member down", "/api/cluster/down-unreachable", confirm: true),
        Get("tail", "membership and reachability events as they happen, until Ctrl+C", "/api/cluster/events", output: "events", view: "cluster-event"),
    ]);

    public static readonly CommandPalette Node = new("node", "the node you are connected to", null,
    [
        Get("health", "alive, and ready (each readiness check with its problem)", "/api/node/health", view: "health"),
        Get("metrics", "a short summary of this node's own metrics", "/api/node/metrics", view: "table", columns: ["name", "value", "unit"]),
    ]);

    public static readonly CommandPalette Actor = new("actor", "the node's actor system", null,
    [
        Get("system", "the actor system: name, address, uptime, Akka version", "/api/actors/system"),
        Get("hierarchy", "the actor tree under a path", "/api/actors/hierarchy", switches:
        [
            Switch("depth", "how many levels below the path", "int", @short: "d", @default: "3"),
            Switch("path", "the actor path to start from", @short: "s", @default: "/user"),
        ], view: "tree"),
    ]);
}
