using System.Collections;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using Cofi.Actors.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cofi.Actors.Tests.Remoting;

/// <summary>
/// Akka.Remote over TLS as AddCofiCluster sets it up from COFI_CLUSTER_TLS_PFX: a member with the cluster's certificate
/// joins; a node without it (plain TCP) and a node with a certificate of its own are refused.
/// </summary>
public sealed class ClusterTlsSpecs : IDisposable
{
    private const string System = "cofi-tls";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private readonly TempDirectory _dir = new("cofi-cluster-tls");
    private readonly List<IHost> _hosts = [];

    [Fact]
    public async Task Should_let_a_member_with_the_cluster_certificate_join_and_refuse_nodes_without_it()
    {
        var tls = Load(Pfx("cluster.pfx"));
        var stranger = Load(Pfx("stranger.pfx"));
        var seedPort = FreePort();
        // As operators give them: the TLS members turn them into akka.ssl.tcp addresses themselves.
        string[] seeds = [$"akka.tcp://{System}@127.0.0.1:{seedPort}"];

        var seed = await StartAsync(new NodeSettings(System, "127.0.0.1", seedPort, seeds, new HashSet<string> { "gpu" }, "seed") { Tls = tls });
        var member = await StartAsync(new NodeSettings(System, "127.0.0.1", 0, seeds, new HashSet<string> { "gpu" }, "member") { Tls = tls });
        await UntilAsync(() => UpCount(seed) == 2, "the member with the cluster's certificate up");
        var plain = await StartAsync(new NodeSettings(System, "127.0.0.1", 0, seeds, new HashSet<string> { "gpu" }, "plain"));
        var other = await StartAsync(new NodeSettings(System, "127.0.0.1", 0, seeds, new HashSet<string> { "gpu" }, "other") { Tls = stranger });

        // Joining a seed that answers takes well under a second on loopback: ten seconds of neither being let in is a refusal.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            Akka.Cluster.Cluster.Get(plain).SelfMember.Status.ShouldNotBe(MemberStatus.Up);
            Akka.Cluster.Cluster.Get(other).SelfMember.Status.ShouldNotBe(MemberStatus.Up);
            Akka.Cluster.Cluster.Get(seed).State.Members.Count.ShouldBe(2);
            await Task.Delay(200);
        }
        UpCount(member).ShouldBe(2);
    }

    [Fact]
    public void Should_name_the_variable_of_a_certificate_that_cannot_be_loaded()
    {
        var path = Pfx("cluster.pfx");

        Should.Throw<InvalidConfigurationException>(() => ClusterTls.FromEnvironment(new Hashtable { [ClusterTls.PfxVariable] = path, [ClusterTls.PasswordVariable] = "wrong" }))
            .Key.ShouldBe(ClusterTls.PfxVariable);
        Should.Throw<InvalidConfigurationException>(() => ClusterTls.FromEnvironment(new Hashtable { [ClusterTls.PfxVariable] = _dir.File("none.pfx") }))
            .Key.ShouldBe(ClusterTls.PfxVariable);
        ClusterTls.FromEnvironment(new Hashtable()).ShouldBeNull();
    }

    private static int UpCount(ActorSystem system) => Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up);

    private static ClusterTls Load(string path) =>
        ClusterTls.FromEnvironment(new Hashtable { [ClusterTls.PfxVariable] = path, [ClusterTls.PasswordVariable] = ClusterCertificate.Password })!;

    private string Pfx(string name) => ClusterCertificate.Write(_dir.File(name), name);

    private async Task<ActorSystem> StartAsync(NodeSettings node)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(node.ActorSystem, akka => akka.AddCofiCluster(node));
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync();
        return host.Services.GetRequiredService<ActorSystem>();
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"not within {Patience}: {what}");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.StopAsync().Wait(TimeSpan.FromSeconds(20));
            host.Dispose();
        }
        _dir.Dispose();
    }
}
