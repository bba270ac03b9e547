using Cofi.Actors.Configuration;
using Cofi.Actors.Logging;

namespace Cofi.Actors.Tests.Configuration;

public sealed class EventWriterSettingsSpecs
{
    private static EventWriterSettings Load(string hocon = "", Dictionary<string, string>? environment = null) =>
        EventWriterSettings.FromConfig(CofiConfig.Load(null, hocon), v => environment?.GetValueOrDefault(v));

    [Fact]
    public void Should_default_to_groups_of_500_rows_or_200_ms_no_file_start_events_and_progress_every_100_files()
    {
        var settings = Load();

        settings.FlushRows.ShouldBe(500);
        settings.FlushInterval.ShouldBe(TimeSpan.FromMilliseconds(200));
        settings.LogFileStartEvents.ShouldBeFalse();
        settings.ProgressUpdateInterval.ShouldBe(100);
        settings.HighWaterMark.ShouldBeGreaterThanOrEqualTo(settings.FlushRows);
    }

    [Fact]
    public void Should_read_both_logging_options_from_hocon()
    {
        var settings = Load("cofi.event-writer { log-file-start-events = true, progress-update-interval = 25 }");

        settings.LogFileStartEvents.ShouldBeTrue();
        settings.ProgressUpdateInterval.ShouldBe(25);
    }

    [Fact]
    public void Should_let_the_environment_win_over_hocon()
    {
        var settings = Load("cofi.event-writer { log-file-start-events = false, progress-update-interval = 25 }",
            new() { ["LOG_FILE_START_EVENTS"] = "true", ["PROGRESS_UPDATE_INTERVAL"] = "7" });

        settings.LogFileStartEvents.ShouldBeTrue();
        settings.ProgressUpdateInterval.ShouldBe(7);
    }

    [Theory]
    [InlineData("LOG_FILE_START_EVENTS", "yes")]
    [InlineData("PROGRESS_UPDATE_INTERVAL", "0")]
    [InlineData("PROGRESS_UPDATE_INTERVAL", "often")]
    public void Should_name_the_variable_of_a_bad_value(string variable, string value)
    {
        Should.Throw<InvalidConfigurationException>(() => Load("", new() { [variable] = value })).Key.ShouldBe(variable);
    }

    [Theory]
    [InlineData("cofi.event-writer.flush-rows = 0", "cofi.event-writer.flush-rows")]
    [InlineData("cofi.event-writer.progress-update-interval = 0", "cofi.event-writer.progress-update-interval")]
    [InlineData("cofi.event-writer.log-file-start-events = sometimes", "cofi.event-writer.log-file-start-events")]
    [InlineData("cofi.event-writer { flush-rows = 500, high-water-mark = 100 }", "cofi.event-writer.high-water-mark")]
    [InlineData("cofi.event-writer.sweep-interval = 1ms", "cofi.event-writer.sweep-interval")]
    public void Should_name_the_key_of_a_bad_value(string hocon, string key)
    {
        Should.Throw<InvalidConfigurationException>(() => Load(hocon)).Key.ShouldBe(key);
    }
}
