using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Cluster;

public sealed class LighthouseSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Should_let_a_node_join_through_it_and_leave_gracefully_on_SIGTERM()
    {
        var port = FreePort.Next();
        using var lighthouse = CofiProcess.StartDll(CofiProcess.LighthouseDll,
            new Dictionary<string, string> { ["ACTORSYSTEM"] = "cofi", ["CLUSTER_IP"] = "127.0.0.1", ["CLUSTER_PORT"] = port.ToString() });
        var seed = $"akka.tcp://cofi@127.0.0.1:{port}";
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.cluster.seed-nodes = ["{{seed}}"]
            akka.cluster.roles = [gpu]
            akka.loglevel = WARNING
            """);
        var kit = new Akka.TestKit.Xunit2.TestKit(config, "cofi");
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(kit.Sys);
            var probe = kit.CreateTestProbe();
            cluster.Subscribe(probe, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));

            var lighthouseUp = probe.FishForMessage<ClusterEvent.MemberUp>(m => m.Member.HasRole("lighthouse"), Patience);
            lighthouseUp.Member.Address.ToString().ShouldBe(seed);
            probe.FishForMessage<ClusterEvent.MemberUp>(m => m.Member.Address.Equals(cluster.SelfAddress), Patience);
            lighthouse.Stdout.ShouldContain($"lighthouse: {seed}");

            lighthouse.Terminate();

            probe.FishForMessage<ClusterEvent.MemberRemoved>(m => m.Member.Address.ToString() == seed, Patience)
                .PreviousStatus.ShouldBe(MemberStatus.Exiting, "a graceful leave goes through Leaving and Exiting, not down");
            (await lighthouse.WaitForExitAsync(Patience)).ShouldBe(0);
        }
        finally
        {
            await kit.Sys.Terminate();
        }
    }

    [Fact]
    public async Task Should_refuse_a_port_that_is_not_a_port_naming_the_variable()
    {
        using var lighthouse = CofiProcess.StartDll(CofiProcess.LighthouseDll, new Dictionary<string, string> { ["CLUSTER_PORT"] = "forty" });

        (await lighthouse.WaitForExitAsync(Patience)).ShouldBe(3);
        lighthouse.Stderr.ShouldContain("CLUSTER_PORT");
    }
}
