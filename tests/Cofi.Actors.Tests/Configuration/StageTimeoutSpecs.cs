using System.Collections.Immutable;
using Cofi.Actors.Configuration;
using Cofi.Actors.Files;

namespace Cofi.Actors.Tests.Configuration;

public sealed class StageTimeoutSpecs
{
    private static FileWork Recording(double? seconds) => new(1, "call-1.wav", "/in/call-1.wav", ImmutableDictionary<string, string>.Empty, AudioSeconds: seconds);

    [Fact]
    public void Should_give_a_call_a_deadline_from_its_recordings_length_when_the_stage_sets_one()
    {
        var stt = CofiSettings.FromConfig(CofiConfig.Load(null,
            "cofi.pipeline.stage.stt { timeout = 60s, timeout-base = 2s, timeout-per-audio-second = 50ms }")).Pipeline["stt"];

        stt.TimeoutFor(Recording(10)).ShouldBe(TimeSpan.FromMilliseconds(2500));
        stt.TimeoutFor(Recording(600)).ShouldBe(TimeSpan.FromSeconds(32));
        stt.TimeoutFor(Recording(null)).ShouldBe(TimeSpan.FromSeconds(60), "a file of unknown length keeps the stage's timeout");
    }

    [Fact]
    public void Should_keep_the_stages_timeout_for_every_file_by_default()
    {
        var stt = CofiSettings.FromConfig(CofiConfig.Load(null, "cofi.pipeline.stage.stt.timeout = 45s")).Pipeline["stt"];

        stt.TimeoutFor(Recording(600)).ShouldBe(TimeSpan.FromSeconds(45));
    }

    [Fact]
    public void Should_refuse_an_unknown_dispatch_order_naming_the_key()
    {
        var error = Should.Throw<InvalidConfigurationException>(() =>
            CofiSettings.FromConfig(CofiConfig.Load(null, "cofi.pipeline.stage.stt.dispatch-order = shortest-first")));

        error.Message.ShouldContain("cofi.pipeline.stage.stt.dispatch-order");
        error.Message.ShouldContain("longest-first");
    }
}
