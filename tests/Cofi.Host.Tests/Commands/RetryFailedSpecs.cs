using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;
using Cofi.Host.Tests.Support;

namespace Cofi.Host.Tests.Commands;

/// <summary>The retry-failed command on a real process and database.</summary>
public sealed class RetryFailedSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_finish_the_files_that_failed_transiently_once_the_fault_is_gone()
    {
        var input = Path.Combine(_dir.Path, "in");
        SampleBatch.Generate(input, 30, 0);
        var flaky = SampleFiles.Passing(30).First();
        var faulty = _dir.File("faulty.conf");
        await File.WriteAllTextAsync(faulty, $$"""
            cofi.pipeline.stage.stt.max-attempts = 2
            cofi.simulated.faults { warming-up { stage = stt, files = ["{{flaky}}"], kind = transient, times = 100 } }
            """);
        var db = _dir.File("c.db");

        var run = await CofiProcess.RunAsync(Timeout, "run", "--input", input, "--db", db, "--latency", "0", "--config", faulty);
        run.ExitCode.ShouldBe(0, run.Stderr);
        SttFailed(await StatusAsync(db)).ShouldBe(1);

        var retry = await CofiProcess.RunAsync(Timeout, "retry-failed", "--batch", "1", "--db", db, "--latency", "0");

        retry.ExitCode.ShouldBe(0, retry.Stderr);
        retry.Stdout.ShouldContain("batch 1: retrying its failed files");
        SttFailed(await StatusAsync(db)).ShouldBe(0, "the file went through stt and every later stage");
    }

    [Fact]
    public async Task Should_exit_5_for_a_batch_that_is_not_there()
    {
        var input = Path.Combine(_dir.Path, "in");
        SampleBatch.Generate(input, 3, 0);
        var db = _dir.File("c.db");
        (await CofiProcess.RunAsync(Timeout, "run", "--input", input, "--db", db, "--latency", "0")).ExitCode.ShouldBe(0);

        var (code, _, stderr) = await CofiProcess.RunAsync(Timeout, "retry-failed", "--batch", "42", "--db", db);

        code.ShouldBe(5);
        stderr.ShouldContain("no batch 42");
    }

    private static async Task<string> StatusAsync(string db)
    {
        var (code, stdout, stderr) = await CofiProcess.RunAsync(Timeout, "status", "--db", db);
        code.ShouldBe(0, stderr);
        return stdout;
    }

    private static int SttFailed(string status)
    {
        var line = status.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("stt ", StringComparison.Ordinal));
        return int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
    }

    public void Dispose() => _dir.Dispose();
}
