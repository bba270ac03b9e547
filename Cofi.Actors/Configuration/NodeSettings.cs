using System.Collections;
using System.Net;
using System.Net.Sockets;

namespace Cofi.Actors.Configuration;

/// <summary>
/// How a Cofi process joins a cluster, read like Lighthouse's settings: ACTORSYSTEM, CLUSTER_IP, CLUSTER_PORT,
/// CLUSTER_SEEDS, plus COFI_ROLES (coordinator, gpu) and COFI_NODE_NAME (the name its GPU machines are known by).
/// No seeds means the process forms a cluster of its own. CLUSTER_IP_FROM_HOSTNAME=true (for containers of a scaled
/// service, which have no name of their own that the others can resolve) takes CLUSTER_IP from the host name.
/// </summary>
public sealed record NodeSettings(string ActorSystem, string Ip, int Port, IReadOnlyList<string> Seeds, IReadOnlySet<string> Roles, string NodeName)
{
    public const string Coordinator = "coordinator";
    public const string Gpu = "gpu";

    public bool IsCoordinator => Roles.Contains(Coordinator);

    public bool IsGpu => Roles.Contains(Gpu);

    /// <summary>Akka.Remote over TLS with the cluster's certificate; null: plain TCP.</summary>
    public ClusterTls? Tls { get; init; }

    /// <summary>null when the process runs embedded, outside any cluster (no seeds, no roles asked for).</summary>
    /// <param name="resolve">Host name to addresses; <see cref="Dns.GetHostAddresses(string)"/> unless a test says otherwise.</param>
    public static NodeSettings? FromEnvironment(IDictionary environment, string? rolesOption = null, string? nodeNameOption = null,
        Func<string, IPAddress[]>? resolve = null)
    {
        string? Read(string key) => environment[key] is string value && value.Trim().Length > 0 ? value.Trim() : null;

        var rawRoles = rolesOption ?? Read("COFI_ROLES");
        var rawSeeds = Read("CLUSTER_SEEDS");
        if (rawRoles is null && rawSeeds is null) return null;

        var roles = (rawRoles ?? $"{Coordinator},{Gpu}").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        foreach (var role in roles.Where(r => r is not (Coordinator or Gpu)))
            throw new InvalidConfigurationException(rolesOption is null ? "COFI_ROLES" : "--roles", $"unknown role '{role}'; expected coordinator, gpu or both");
        if (roles.Count == 0) throw new InvalidConfigurationException(rolesOption is null ? "COFI_ROLES" : "--roles", "needs coordinator, gpu or both");

        var port = 0;
        if (Read("CLUSTER_PORT") is { } rawPort && (!int.TryParse(rawPort, out port) || port is < 0 or > 65535))
            throw new InvalidConfigurationException("CLUSTER_PORT", $"'{rawPort}' is not a TCP port (0-65535)");
        var seeds = (rawSeeds ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (var seed in seeds.Where(s => !Uri.TryCreate(s, UriKind.Absolute, out var uri) || uri.Scheme is not ("akka.tcp" or "akka.ssl.tcp")))
            throw new InvalidConfigurationException("CLUSTER_SEEDS", $"'{seed}' is not an akka.tcp:// address");
        var ip = Read("CLUSTER_IP") ?? (FromHostname(Read("CLUSTER_IP_FROM_HOSTNAME"))
            ? HostAddress(Dns.GetHostName(), resolve ?? Dns.GetHostAddresses)
            : "127.0.0.1");
        return new NodeSettings(Read("ACTORSYSTEM") ?? "cofi", ip, port, seeds, roles,
            nodeNameOption ?? Read("COFI_NODE_NAME") ?? Environment.MachineName) { Tls = ClusterTls.FromEnvironment(environment) };
    }

    private static bool FromHostname(string? raw) =>
        raw is not null && (bool.TryParse(raw, out var yes)
            ? yes
            : throw new InvalidConfigurationException("CLUSTER_IP_FROM_HOSTNAME", $"'{raw}' is not true or false"));

    /// <summary>
    /// The address this host's name resolves to, as a container on a compose network resolves its own host name to its
    /// address there. Loopback is refused: other members could not reach it.
    /// </summary>
    public static string HostAddress(string hostName, Func<string, IPAddress[]> resolve)
    {
        IPAddress[] addresses;
        try
        {
            addresses = resolve(hostName);
        }
        catch (SocketException e)
        {
            throw new InvalidConfigurationException("CLUSTER_IP_FROM_HOSTNAME", $"host name '{hostName}' does not resolve: {e.Message}");
        }
        var reachable = addresses.Where(a => !IPAddress.IsLoopback(a)).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToList();
        if (reachable.Count == 0)
            throw new InvalidConfigurationException("CLUSTER_IP_FROM_HOSTNAME",
                $"host name '{hostName}' resolves to no address other members can reach ({(addresses.Length == 0 ? "none" : string.Join(", ", addresses.Select(a => a.ToString())))}); set CLUSTER_IP");
        return reachable[0].ToString();
    }

    /// <summary>The node's GPU machines: one named after the node, or N simulated ones numbered after it.</summary>
    public IReadOnlyList<string> Machines(int simulated) =>
        simulated <= 1 ? [NodeName] : Enumerable.Range(1, simulated).Select(i => $"{NodeName}-gpu-{i}").ToList();
}
