using Cofi.Actors.Configuration;

namespace Cofi.Actors.Tests.Configuration;

public sealed class CofiSettingsSpecs
{
    private static CofiSettings Load(string hocon = "") => CofiSettings.FromConfig(CofiConfig.Load(null, hocon));

    private static InvalidConfigurationException Invalid(string hocon) => Should.Throw<InvalidConfigurationException>(() => Load(hocon));

    [Fact]
    public void Should_load_the_default_nine_stage_pipeline()
    {
        var settings = Load();

        settings.Pipeline.Mode.ShouldBe(PipelineMode.Streaming);
        settings.Pipeline.Stages.Select(s => (s.Name, s.Kind)).ShouldBe([
            ("distribution", StageKind.Distribution), ("denoise", StageKind.Gpu), ("ivr", StageKind.Gpu), ("lid", StageKind.Gpu),
            ("triage", StageKind.Rules), ("stt", StageKind.Gpu), ("llm1", StageKind.Llm), ("llm2", StageKind.Llm), ("metadata", StageKind.Metadata)]);
        settings.Simulated.GpuMachines.ShouldBe(4);
        settings.MaxConcurrentBatches.ShouldBe(4);
        settings.Pipeline["triage"].Rules.Select(r => r.Name).ShouldBe(["ivr-menu", "unsupported-language"]);
    }

    [Fact]
    public void Should_let_overrides_win_over_the_shipped_defaults()
    {
        var settings = Load("""
            cofi.pipeline.mode = barrier
            cofi.pipeline.stage.stt.slots = 7
            cofi.stage-defaults.max-attempts = 9
            cofi.simulated.gpu-machines = 12
            """);

        settings.Pipeline.Mode.ShouldBe(PipelineMode.Barrier);
        settings.Pipeline["stt"].Slots.ShouldBe(7);
        settings.Pipeline["denoise"].Slots.ShouldBe(2, "other stages keep the default");
        settings.Pipeline["lid"].MaxAttempts.ShouldBe(9);
        settings.Simulated.GpuMachines.ShouldBe(12);
    }

    [Fact]
    public void Should_name_the_key_of_an_unknown_stage_kind()
    {
        var error = Invalid("cofi.pipeline.stage.ivr.kind = gpux");

        error.Key.ShouldBe("cofi.pipeline.stage.ivr.kind");
        error.Message.ShouldContain("unknown value 'gpux'");
        error.Message.ShouldContain("distribution, gpu, rules, llm, metadata");
    }

    [Fact]
    public void Should_name_the_key_of_zero_slots()
    {
        var error = Invalid("cofi.pipeline.stage.stt.slots = 0");

        error.Key.ShouldBe("cofi.pipeline.stage.stt.slots");
        error.Message.ShouldContain("at least 1 (got 0)");
    }

    [Fact]
    public void Should_name_the_key_of_a_rule_reading_an_unknown_stage()
    {
        var error = Invalid("cofi.pipeline.stage.triage.rules.ivr-menu.stage = ivx");

        error.Key.ShouldBe("cofi.pipeline.stage.triage.rules.ivr-menu.stage");
        error.Message.ShouldContain("unknown stage 'ivx'");
    }

    [Fact]
    public void Should_refuse_a_rule_reading_a_later_stage()
    {
        Invalid("cofi.pipeline.stage.triage.rules.ivr-menu.stage = stt").Key.ShouldBe("cofi.pipeline.stage.triage.rules.ivr-menu.stage");
    }

    [Fact]
    public void Should_refuse_a_listed_stage_without_configuration()
    {
        var error = Invalid("cofi.pipeline.stages = [distribution, denoise, magic, metadata]");

        error.Key.ShouldBe("cofi.pipeline.stage.magic");
    }

    [Fact]
    public void Should_refuse_a_pipeline_that_does_not_start_with_distribution()
    {
        Invalid("cofi.pipeline.stages = [denoise, metadata]").Key.ShouldBe("cofi.pipeline.stage.denoise.kind");
    }

    [Fact]
    public void Should_refuse_an_unknown_pipeline_mode()
    {
        Invalid("cofi.pipeline.mode = sometimes").Key.ShouldBe("cofi.pipeline.mode");
    }

    [Fact]
    public void Should_refuse_a_fault_for_an_unknown_stage()
    {
        Invalid("cofi.simulated.faults.x { stage = nope, files = [a.wav], kind = permanent }").Key.ShouldBe("cofi.simulated.faults.x.stage");
    }

    [Fact]
    public void Should_refuse_a_failure_rate_outside_zero_to_one()
    {
        Invalid("cofi.pipeline.stage.lid.simulated.transient-rate = 1.5").Key.ShouldBe("cofi.pipeline.stage.lid.simulated.transient-rate");
    }

    [Fact]
    public void Should_name_the_config_file_option_when_the_file_is_missing()
    {
        Should.Throw<InvalidConfigurationException>(() => CofiConfig.Load("/nonexistent/cofi.conf")).Key.ShouldBe("--config");
    }
}
