using System.Collections;
using System.Net;
using Cofi.Actors.Configuration;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Runtime;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Compose;

/// <summary>What a container sets by environment variables only: the simulated latency and the address it advertises.</summary>
public sealed class ContainerEnvironmentSpecs : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Should_set_every_model_stage_latency_from_COFI_LATENCY_MS()
    {
        var latency = RuntimeOptions.LatencyFromEnvironment(Variables(("COFI_LATENCY_MS", "35")));

        var (_, settings) = new RuntimeOptions("cofi.db", null, null, latency, null).LoadConfiguration();

        latency.ShouldBe(35);
        settings.Pipeline.Stages.Where(s => s.Kind is StageKind.Gpu or StageKind.Llm)
            .ShouldAllBe(s => s.Simulated.Latency == TimeSpan.FromMilliseconds(35));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Should_leave_each_stage_its_configured_latency_when_COFI_LATENCY_MS_is_unset_or_empty(string? value)
    {
        RuntimeOptions.LatencyFromEnvironment(Variables(("COFI_LATENCY_MS", value))).ShouldBeNull();
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public void Should_refuse_a_COFI_LATENCY_MS_that_is_not_a_latency(string value)
    {
        var error = Should.Throw<InvalidConfigurationException>(() => RuntimeOptions.LatencyFromEnvironment(Variables(("COFI_LATENCY_MS", value))));

        error.Key.ShouldBe("COFI_LATENCY_MS");
        error.Message.ShouldContain(value);
    }

    [Fact]
    public async Task Should_stop_the_process_with_exit_code_3_naming_a_bad_COFI_LATENCY_MS()
    {
        var input = Path.Combine(_dir.Path, "in");
        SampleBatch.Generate(input, 2, 0);
        using var process = CofiProcess.StartDll(CofiProcess.HostDll, new Dictionary<string, string> { ["COFI_LATENCY_MS"] = "fast" },
            "run", "--input", input, "--db", _dir.File("c.db"));

        (await process.WaitForExitAsync(TimeSpan.FromMinutes(2))).ShouldBe(3, process.Stderr);
        process.Stderr.ShouldContain("COFI_LATENCY_MS");
    }

    [Fact]
    public void Should_advertise_the_address_the_host_name_resolves_to_when_CLUSTER_IP_FROM_HOSTNAME_is_true()
    {
        var asked = new List<string>();
        IPAddress[] Resolve(string name)
        {
            asked.Add(name);
            return [IPAddress.Parse("127.0.1.1"), IPAddress.Parse("fd00::5"), IPAddress.Parse("172.18.0.5")];
        }

        var node = NodeSettings.FromEnvironment(Env(("CLUSTER_SEEDS", "akka.tcp://cofi@lighthouse:4053"), ("CLUSTER_IP_FROM_HOSTNAME", "true")), resolve: Resolve)!;

        node.Ip.ShouldBe("172.18.0.5", "loopback is unreachable for the others, and IPv4 comes first");
        asked.ShouldBe([Dns.GetHostName()]);
    }

    [Fact]
    public void Should_prefer_an_explicit_CLUSTER_IP_to_the_host_name()
    {
        var node = NodeSettings.FromEnvironment(
            Env(("CLUSTER_IP", "coordinator-1"), ("CLUSTER_IP_FROM_HOSTNAME", "true"), ("COFI_ROLES", "coordinator")),
            resolve: _ => throw new InvalidOperationException("not asked"))!;

        node.Ip.ShouldBe("coordinator-1");
    }

    [Fact]
    public void Should_keep_the_loopback_default_without_CLUSTER_IP_FROM_HOSTNAME()
    {
        NodeSettings.FromEnvironment(Env(("COFI_ROLES", "gpu"), ("CLUSTER_IP_FROM_HOSTNAME", "false")))!.Ip.ShouldBe("127.0.0.1");
    }

    [Fact]
    public void Should_refuse_a_host_name_that_resolves_only_to_loopback()
    {
        // Real resolution: localhost is loopback only, as a bare Debian host name (127.0.1.1) is.
        var error = Should.Throw<InvalidConfigurationException>(() => NodeSettings.HostAddress("localhost", Dns.GetHostAddresses));

        error.Key.ShouldBe("CLUSTER_IP_FROM_HOSTNAME");
        error.Message.ShouldContain("set CLUSTER_IP");
    }

    [Fact]
    public void Should_refuse_a_CLUSTER_IP_FROM_HOSTNAME_that_is_not_a_boolean()
    {
        var error = Should.Throw<InvalidConfigurationException>(() => NodeSettings.FromEnvironment(Env(("COFI_ROLES", "gpu"), ("CLUSTER_IP_FROM_HOSTNAME", "yes"))));

        error.Key.ShouldBe("CLUSTER_IP_FROM_HOSTNAME");
    }

    private static Func<string, string?> Variables(params (string Key, string? Value)[] variables) =>
        key => variables.Where(v => v.Key == key).Select(v => v.Value).FirstOrDefault();

    private static IDictionary Env(params (string Key, string Value)[] variables) =>
        new Hashtable(variables.ToDictionary(v => v.Key, v => (object?)v.Value));

    public void Dispose() => _dir.Dispose();
}
