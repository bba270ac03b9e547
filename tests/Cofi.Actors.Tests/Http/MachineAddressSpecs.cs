using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Executors.Http;

namespace Cofi.Actors.Tests.Http;

/// <summary>Where a GPU machine's model services are called: at the machine's own name, or on the GPU node itself.</summary>
public sealed class MachineAddressSpecs
{
    private static readonly CofiSettings Settings = CofiSettings.FromConfig(CofiConfig.Load(null, """
        cofi.gpu { machines = ["gpu-b.lan"], local-host = "127.0.0.9" }
        cofi.stage-defaults { executor = http, http.port = 9000 }
        cofi.pipeline.stage.stt.http.path = "/stt"
        cofi.pipeline.stage.llm1.executor = simulated
        cofi.pipeline.stage.llm2.executor = simulated
        """));

    [Fact]
    public void Should_call_a_gpu_nodes_own_machine_on_the_node_and_an_endpoint_machine_at_its_name()
    {
        using var executors = new ConfiguredExecutorProvider(Settings, NoCallRecorder.Instance, TimeProvider.System, ["node-a"]);

        var own = executors.For(Settings.Pipeline["stt"], "node-a").ShouldBeOfType<HttpStageExecutor>();
        var endpoint = executors.For(Settings.Pipeline["stt"], "gpu-b.lan").ShouldBeOfType<HttpStageExecutor>();

        own.UriFor("/stt").ShouldBe(new Uri("http://127.0.0.9:9000/stt"));
        endpoint.UriFor("/stt").ShouldBe(new Uri("http://gpu-b.lan:9000/stt"));
    }

    [Fact]
    public void Should_refuse_a_local_host_that_is_not_a_host_naming_the_key()
    {
        Should.Throw<InvalidConfigurationException>(() => CofiSettings.FromConfig(CofiConfig.Load(null, "cofi.gpu.local-host = \"not a host\"")))
            .Message.ShouldContain("cofi.gpu.local-host");
    }
}
