using Cofi.Actors.Configuration;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Runtime;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Cluster;

/// <summary>
/// A cluster whose every process has the cluster's certificate (COFI_CLUSTER_TLS_PFX), the Lighthouse included:
/// a batch runs over TLS, and GPU nodes that try to join it without that certificate never get work; one with a
/// certificate of its own is ended by the failed handshake and says why.
/// </summary>
public sealed class EncryptedClusterSpecs : IDisposable
{
    private const int Files = 300;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_run_a_batch_over_tls_and_refuse_nodes_without_the_cluster_certificate_while_it_runs()
    {
        var tls = new Dictionary<string, string>
        {
            [ClusterTls.PfxVariable] = ClusterCertificate.Write(_dir.File("cluster.pfx"), "cofi-cluster"),
            [ClusterTls.PasswordVariable] = ClusterCertificate.Password,
        };
        await using var rig = new ClusterRig(_dir, Files, environment: tls);
        await rig.LighthouseUpAsync();
        rig.Lighthouse.Stdout.ShouldContain($"lighthouse: up at akka.ssl.tcp://cofi@127.0.0.1:{rig.LighthousePort}");
        var member = await rig.StartGpuNodeUpAsync("n1", latencyMs: 40);
        // At 40 ms a call one node needs about 25 s for the batch: the strangers try to join while it runs.
        var coordinator = rig.StartCoordinator(latencyMs: 40);
        await ClusterRig.Until(() => rig.Calls("n1").Count >= 30, "n1 working", coordinator, member);

        var plain = rig.StartGpuNode("plain", latencyMs: 1, environment: new Dictionary<string, string> { [ClusterTls.PfxVariable] = "" });
        var stranger = rig.StartGpuNode("stranger", latencyMs: 1, environment: new Dictionary<string, string>
        {
            [ClusterTls.PfxVariable] = ClusterCertificate.Write(_dir.File("stranger.pfx"), "cofi-cluster"),
        });

        (await coordinator.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(0, coordinator.Stderr);
        coordinator.Stdout.ShouldContain("batch 1: completed");
        rig.Calls("n1").Select(c => c.File).Distinct().Count().ShouldBeGreaterThanOrEqualTo(Files, "every file went through n1's stages");
        // Over plain TCP the handshake never starts: the node keeps asking. With a certificate of its own, Akka.Remote ends it.
        plain.HasExited.ShouldBeFalse(plain.Stderr);
        plain.Stdout.ShouldNotContain(": up at");
        (await stranger.WaitForExitAsync(ClusterRig.Patience)).ShouldBe(ServiceHost.TlsRefusedExit, stranger.Stderr);
        stranger.Stdout.ShouldNotContain(": up at");
        (stranger.Stdout + stranger.Stderr).ShouldContain("node stranger: refused by the cluster: the TLS handshake failed");
        rig.Calls("plain").ShouldBeEmpty();
        rig.Calls("stranger").ShouldBeEmpty();
    }

    public void Dispose() => _dir.Dispose();
}
