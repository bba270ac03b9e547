using Cofi.Actors.Configuration;

namespace Cofi.Actors.Tests.Configuration;

public sealed class ShutdownSettingsSpecs
{
    private static ShutdownSettings Load(string hocon = "", Dictionary<string, string>? environment = null) =>
        ShutdownSettings.FromConfig(CofiConfig.Load(null, hocon), v => environment?.GetValueOrDefault(v));

    [Fact]
    public void Should_give_calls_in_flight_30_seconds_by_default()
    {
        Load().Grace.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Should_read_the_grace_from_hocon()
    {
        Load("cofi.shutdown.grace = 2m").Grace.ShouldBe(TimeSpan.FromMinutes(2));
    }

    [Theory]
    [InlineData("45s", 45_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0s", 0)]
    public void Should_let_the_environment_win_over_hocon(string value, int milliseconds)
    {
        Load("cofi.shutdown.grace = 10s", new() { ["COFI_SHUTDOWN_GRACE"] = value }).Grace.ShouldBe(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData("30")]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("2h")]
    public void Should_name_the_variable_of_a_bad_value(string value)
    {
        Should.Throw<InvalidConfigurationException>(() => Load("", new() { ["COFI_SHUTDOWN_GRACE"] = value })).Key.ShouldBe("COFI_SHUTDOWN_GRACE");
    }

    [Theory]
    [InlineData("cofi.shutdown.grace = -1s")]
    [InlineData("cofi.shutdown.grace = 3h")]
    [InlineData("cofi.shutdown.grace = later")]
    public void Should_name_the_key_of_a_bad_value(string hocon)
    {
        Should.Throw<InvalidConfigurationException>(() => Load(hocon)).Key.ShouldBe("cofi.shutdown.grace");
    }
}
