using Cofi.Actors.Tests.Support;

namespace Cofi.Host.Tests.Support;

/// <summary>A <c>--config</c> file whose GPU stages call <see cref="FakeModelServer"/>'s model services over HTTP (the LLM stages stay simulated).</summary>
public static class HttpPipelineConfig
{
    /// <param name="hocon">what this process sets besides: its GPU machines, its local host, its breaker.</param>
    /// <returns><paramref name="path"/>.</returns>
    public static async Task<string> WriteAsync(string path, FakeModelServer server, int slots, string hocon)
    {
        await File.WriteAllTextAsync(path, $$"""
            {{hocon}}
            cofi.stage-defaults { executor = http, slots = {{slots}}, http.port = {{server.Port}} }
            cofi.pipeline.stage {
              denoise.http.path = "/denoise"
              ivr.http.path = "/ivr"
              lid.http.path = "/lid"
              stt.http.path = "/stt"
              llm1.executor = simulated
              llm2.executor = simulated
            }
            """);
        return path;
    }
}
