using Cofi.Actors.Configuration;

namespace Cofi.Actors.Tests.Configuration;

public sealed class HttpSettingsSpecs
{
    private static CofiSettings Load(string hocon = "") => CofiSettings.FromConfig(CofiConfig.Load(null, hocon));

    private static InvalidConfigurationException Invalid(string hocon) => Should.Throw<InvalidConfigurationException>(() => Load(hocon));

    private const string Llm = """
        cofi.pipeline.stage.llm1 {
          executor = http
          llm { endpoints = ["http://10.0.0.9:8000/v1/chat/completions"], model = m, prompt = "Summarise {{stt.transcript}}" }
        }
        """;

    [Fact]
    public void Should_read_http_stages_machines_and_the_breaker()
    {
        var settings = Load("""
            cofi.gpu.machines = ["10.0.0.5", "gpu-b.local"]
            cofi.gpu.circuit-breaker.break-duration = 3s
            cofi.stage-defaults { executor = http, http.port = 9000 }
            cofi.pipeline.stage.stt.http { path = "/v1/stt", port = 9100, include-results = [denoise, lid], prepare-path = "/load" }
            cofi.pipeline.stage.llm1.executor = simulated
            cofi.pipeline.stage.llm2.executor = simulated
            """);

        settings.Gpu.Machines.ShouldBe(["10.0.0.5", "gpu-b.local"]);
        settings.Gpu.Breaker.BreakDuration.ShouldBe(TimeSpan.FromSeconds(3));
        var stt = settings.Pipeline["stt"];
        stt.Executor.ShouldBe(ExecutorKind.Http);
        stt.Http.ShouldBe(new HttpStageSettings("http", 9100, "/v1/stt", stt.Http!.IncludeResults, "/load", null));
        stt.Http.IncludeResults.ShouldBe(["denoise", "lid"]);
        settings.Pipeline["denoise"].Http!.Port.ShouldBe(9000, "the default port");
        settings.Pipeline["triage"].Http.ShouldBeNull("only gpu stages call model services");
    }

    [Fact]
    public void Should_read_an_llm_stage_with_its_limits()
    {
        var llm = Load(Llm + "\ncofi.pipeline.stage.llm1.llm { requests-per-minute = 120, tokens-per-minute = 90000 }").Pipeline["llm1"];

        llm.Executor.ShouldBe(ExecutorKind.Http);
        llm.Llm!.Endpoints.Single().ShouldBe(new Uri("http://10.0.0.9:8000/v1/chat/completions"));
        (llm.Llm.RequestsPerMinute, llm.Llm.TokensPerMinute, llm.Llm.MaxConcurrency).ShouldBe((120, 90000, 8));
    }

    [Theory]
    [InlineData("cofi.pipeline.stage.stt.executor = grpc", "cofi.pipeline.stage.stt.executor")]
    [InlineData("cofi.pipeline.stage.stt { executor = http, http.port = 0 }", "cofi.pipeline.stage.stt.http.port")]
    [InlineData("cofi.pipeline.stage.stt { executor = http, http.path = stt }", "cofi.pipeline.stage.stt.http.path")]
    [InlineData("cofi.pipeline.stage.stt { executor = http, http.scheme = ftp }", "cofi.pipeline.stage.stt.http.scheme")]
    [InlineData("cofi.pipeline.stage.denoise { executor = http, http.include-results = [stt] }", "cofi.pipeline.stage.denoise.http.include-results")]
    [InlineData("cofi.pipeline.stage.llm1.executor = http", "cofi.pipeline.stage.llm1.llm.endpoints")]
    [InlineData("cofi.gpu.machines = [\"bad host!\"]", "cofi.gpu.machines")]
    [InlineData("cofi.gpu.machines = [a, A]", "cofi.gpu.machines")]
    [InlineData("cofi.gpu.circuit-breaker.failure-ratio = 2", "cofi.gpu.circuit-breaker.failure-ratio")]
    [InlineData("cofi.gpu.circuit-breaker.break-duration = 10ms", "cofi.gpu.circuit-breaker.break-duration")]
    public void Should_name_the_key_of_a_bad_http_setting(string hocon, string key)
    {
        Invalid(hocon).Key.ShouldBe(key);
    }

    [Fact]
    public void Should_refuse_a_prompt_that_reads_a_later_stage()
    {
        Invalid(Llm.Replace("{{stt.transcript}}", "{{llm2.sentiment}}")).Key.ShouldBe("cofi.pipeline.stage.llm1.llm.prompt");
    }
}
