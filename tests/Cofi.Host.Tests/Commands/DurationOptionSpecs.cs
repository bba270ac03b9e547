using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Commands;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>Durations on the command line take units (20ms, 2s, 5m, 1h); a bare number stays milliseconds.</summary>
public sealed class DurationOptionSpecs : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("20ms", 20)]
    [InlineData("20", 20)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData(" 0 ", 0)]
    public void Should_read_a_duration_with_or_without_its_unit(string text, int milliseconds)
    {
        Duration.TryParse(text, out var duration).ShouldBeTrue();

        duration.TotalMilliseconds.ShouldBe(milliseconds);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("20d")]
    [InlineData("1.5")]
    [InlineData("")]
    public void Should_refuse_what_is_not_a_duration(string text) => Duration.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public async Task Should_run_a_batch_with_latency_20ms()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 20, 0);

        var (code, stdout, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(2), "run", "--input", input, "--db", _dir.File("c.db"), "--latency", "20ms");

        code.ShouldBe(0, stdout + stderr);
        stderr.ShouldNotContain("Cannot parse argument");
    }

    [Fact]
    public async Task Should_name_the_option_of_a_duration_it_cannot_read()
    {
        var (code, _, stderr) = await CofiProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "--input", _dir.Path, "--latency", "fast");

        code.ShouldNotBe(0);
        stderr.ShouldContain("--latency: 'fast' is not a duration such as 20ms");
    }

    public void Dispose() => _dir.Dispose();
}
