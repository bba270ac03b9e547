using System.Diagnostics;
using System.Text.RegularExpressions;
using Cofi.Actors.Executors;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>
/// Stopping a real process with real signals: the first SIGINT (Ctrl+C) or SIGTERM hands out no new work, lets the
/// calls in flight finish within the grace and records them, and exits 130 or 143; a second signal exits at once;
/// the next run resumes without calling a recorded file-stage again.
/// </summary>
public sealed class StopSpecs : IDisposable
{
    private const int Files = 200;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    // The watchdog's limit: the process must be gone this long after the first signal, whatever happens.
    private static readonly TimeSpan Limit = Grace + TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly Dictionary<string, string> ShortGrace = new() { ["COFI_SHUTDOWN_GRACE"] = "5s" };
    private readonly TempDirectory _dir = new("cofi-stop");
    private readonly string _input;
    private readonly string _db;
    private readonly string _calls;

    public StopSpecs()
    {
        _input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(_input, Files, 2);
        _db = _dir.File("cofi.db");
        _calls = _dir.File("calls.log");
    }

    /// <summary>300 ms a model call: about 50 calls are in flight at any moment, and the batch takes some seconds.</summary>
    private string[] Run(int latencyMs = 300) => ["run", "--input", _input, "--db", _db, "--call-log", _calls, "--latency", latencyMs.ToString()];

    [Fact]
    public async Task Should_stop_on_Ctrl_C_in_a_terminal_with_exit_code_130_and_resume_where_it_stopped()
    {
        using var first = CofiProcess.StartUnderTerminal(ShortGrace, Run());
        await UntilCallsAsync(100, first);

        first.Interrupt();
        var stopping = Stopwatch.StartNew();
        var code = await first.WaitForExitAsync(Patience);

        code.ShouldBe(130, first.Stdout);
        stopping.Elapsed.ShouldBeLessThan(Limit);
        first.Stdout.ShouldContain("in flight", customMessage: "the terminal showed the progress bars");
        first.Stdout.ShouldContain("stopping (SIGINT): no new work;");
        first.Stdout.ShouldContain("calls in flight finish within 5s — press Ctrl+C again to stop at once");
        first.Stdout.ShouldContain("interrupted: run the same command again to resume batch 1");
        await ShouldResumeAndCompleteAsync();
    }

    [Fact]
    public async Task Should_stop_on_SIGTERM_with_exit_code_143_recording_the_calls_that_were_in_flight()
    {
        using var first = CofiProcess.StartDll(CofiProcess.HostDll, ShortGrace, Run());
        await UntilCallsAsync(100, first);

        var signalledAt = DateTimeOffset.UtcNow;
        first.Terminate();
        var stopping = Stopwatch.StartNew();
        var code = await first.WaitForExitAsync(Patience);

        code.ShouldBe(143, first.Stderr);
        stopping.Elapsed.ShouldBeLessThan(Limit);
        first.Stdout.ShouldContain("stopping (SIGTERM): no new work;");
        first.Stdout.ShouldContain("stopped: every call in flight came back and is recorded");
        var calls = FileCallRecorder.Read(_calls);
        var recorded = await JournalChecks.RecordedFilesAsync(DatabaseSettings.Sqlite(_db));
        calls.Where(c => c.StartedAt < signalledAt && c.FinishedAt > signalledAt).ShouldNotBeEmpty("calls were in flight at the signal");
        calls.Where(c => c.Outcome is "completed" or "permanent").Where(c => !recorded[c.Stage].Contains(c.File))
            .Select(c => $"{c.Stage}/{c.File}").ShouldBeEmpty("every call that came back before the process ended is recorded");
        await ShouldResumeAndCompleteAsync();
    }

    [Fact]
    public async Task Should_stop_at_once_on_a_second_Ctrl_C()
    {
        // Calls take 20 s and the grace is the default 30 s: only the second Ctrl+C can end the process soon.
        using var first = CofiProcess.StartUnderTerminal(new Dictionary<string, string>(), Run(latencyMs: 20_000));
        var metrics = await MetricsAddressAsync(first);
        await Poll.UntilAsync(() => BusySlotsAsync(metrics), busy => busy > 0, "calls in flight on the GPU machines", Patience);

        var stopping = Stopwatch.StartNew();
        first.Interrupt();
        await Poll.UntilAsync(() => Task.FromResult(first.Stdout), s => s.Contains("stopping (SIGINT)"), "the stop's first line", Patience);
        first.HasExited.ShouldBeFalse("the first Ctrl+C waits for the calls in flight");
        first.Interrupt();
        var code = await first.WaitForExitAsync(Patience);

        code.ShouldBe(130, first.Stdout);
        stopping.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "well under the grace of 30 s and the calls' 20 s");
        first.Stdout.ShouldContain("stopping at once (SIGINT again): calls still in flight are sent again when their batch resumes");
        first.Stdout.ShouldNotContain("stopped: every call in flight came back");
    }

    [Fact]
    public async Task Should_end_demo_serve_on_SIGTERM_after_its_batch()
    {
        using var demo = CofiProcess.StartDll(CofiProcess.HostDll, ShortGrace, "demo", "--files", "20", "--latency", "0", "--serve");
        await Poll.UntilAsync(() => Task.FromResult(demo.Stdout), s => s.Contains("serving the dashboard at") || demo.HasExited, "the batch's end", Patience);
        demo.Stdout.ShouldContain("batch 1: completed");

        demo.Terminate();
        var stopping = Stopwatch.StartNew();
        var code = await demo.WaitForExitAsync(Patience);

        code.ShouldBe(143, demo.Stderr);
        stopping.Elapsed.ShouldBeLessThan(Limit);
    }

    private async Task ShouldResumeAndCompleteAsync()
    {
        var callsBefore = FileCallRecorder.Read(_calls).Count;
        var recordedBefore = await JournalChecks.RecordedFilesAsync(DatabaseSettings.Sqlite(_db));
        recordedBefore["metadata"].Count.ShouldBeLessThan(Files, "the stop came before the batch finished");

        var (code, stdout, stderr) = await CofiProcess.RunAsync(Patience, Run(latencyMs: 5));

        code.ShouldBe(0, stderr);
        stdout.ShouldMatch(@"resuming batch 1: [\d,]+ of 200 files done at \w+");
        FileCallRecorder.Read(_calls).Skip(callsBefore).Where(c => recordedBefore[c.Stage].Contains(c.File))
            .Select(c => $"{c.Stage}/{c.File}").ShouldBeEmpty("a file-stage recorded before the stop was called again");
        await JournalChecks.ShouldHaveRecordedEveryFileOnceAsync(DatabaseSettings.Sqlite(_db), Files);
    }

    private Task UntilCallsAsync(int count, CofiProcess process) =>
        Poll.UntilAsync(() => Task.FromResult(FileCallRecorder.Read(_calls).Count), n => n >= count || process.HasExited, $"{count} model calls", Patience,
            n => $"{n} calls\n{process.Stdout}\n{process.Stderr}");

    private static async Task<string> MetricsAddressAsync(CofiProcess process)
    {
        var line = new Regex(@"dashboard: (http://[0-9.:]+)/");
        var stdout = await Poll.UntilAsync(() => Task.FromResult(process.Stdout), s => line.IsMatch(s) || process.HasExited, "the dashboard's address", Patience);
        return line.Match(stdout).Groups[1].Value + "/metrics";
    }

    /// <summary>Slots of the GPU machines busy with a call: the workers count them as they start and finish calls.</summary>
    private static async Task<int> BusySlotsAsync(string metrics)
    {
        using var client = new HttpClient();
        var text = await client.GetStringAsync(metrics);
        return Regex.Matches(text, @"^cofi_machine_slots_busy\{[^}]*\} (\d+)", RegexOptions.Multiline).Sum(m => int.Parse(m.Groups[1].Value));
    }

    public void Dispose() => _dir.Dispose();
}
