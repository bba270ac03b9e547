using System.Collections;
using Cofi.Actors.Configuration;

namespace Cofi.Lighthouse;

/// <summary>
/// The seed node's settings, read the way Petabridge's Lighthouse reads them: ACTORSYSTEM, CLUSTER_IP,
/// CLUSTER_PORT (default 4053), CLUSTER_SEEDS (comma-separated addresses). Its own address is always a seed. With
/// COFI_CLUSTER_TLS_PFX it speaks TLS like every other member (<see cref="ClusterTls"/>).
/// </summary>
public sealed record LighthouseSettings(string ActorSystem, string Ip, int Port, IReadOnlyList<string> Seeds)
{
    public const int DefaultPort = 4053;

    public ClusterTls? Tls { get; init; }

    public string SelfAddress => $"{(Tls is null ? "akka.tcp" : "akka.ssl.tcp")}://{ActorSystem}@{Ip}:{Port}";

    /// <summary>The seeds in the transport's scheme, this node's own address first when the operator did not list it.</summary>
    public string[] SeedNodes()
    {
        var seeds = ClusterTls.SeedsOver(Tls, Seeds);
        return seeds.Contains(SelfAddress) ? seeds : [SelfAddress, .. seeds];
    }

    public static LighthouseSettings FromEnvironment(IDictionary environment)
    {
        string? Read(string key) => environment[key] is string value && value.Trim().Length > 0 ? value.Trim() : null;

        var system = Read("ACTORSYSTEM") ?? "cofi";
        if (!system.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new LighthouseConfigurationException("ACTORSYSTEM", $"'{system}' is not a valid actor system name (letters, digits, '-' and '_')");
        var ip = Read("CLUSTER_IP") ?? "127.0.0.1";
        var port = DefaultPort;
        if (Read("CLUSTER_PORT") is { } rawPort && (!int.TryParse(rawPort, out port) || port is < 1 or > 65535))
            throw new LighthouseConfigurationException("CLUSTER_PORT", $"'{rawPort}' is not a TCP port (1-65535)");
        var seeds = (Read("CLUSTER_SEEDS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (var seed in seeds.Where(s => !Uri.TryCreate(s, UriKind.Absolute, out var uri) || uri.Scheme != "akka.tcp"))
            throw new LighthouseConfigurationException("CLUSTER_SEEDS", $"'{seed}' is not an akka.tcp:// address");
        try
        {
            return new LighthouseSettings(system, ip, port, seeds) { Tls = ClusterTls.FromEnvironment(environment) };
        }
        catch (InvalidConfigurationException e)
        {
            throw new LighthouseConfigurationException(e.Key, e.Message);
        }
    }
}

public sealed class LighthouseConfigurationException(string key, string problem) : Exception($"invalid configuration at '{key}': {problem}")
{
    public string Key { get; } = key;
}
