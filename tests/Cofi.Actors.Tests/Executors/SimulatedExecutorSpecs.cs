using System.Collections.Immutable;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;

namespace Cofi.Actors.Tests.Executors;

public sealed class SimulatedExecutorSpecs
{
    private static StageCall Call(string file, int attempt = 1) =>
        new(3, "lid", new FileWork(1, file, "/x/" + file, ImmutableDictionary<string, string>.Empty), attempt, "gpu-1");

    private static SimulatedExecutor Executor(string hocon, InMemoryCallRecorder recorder)
    {
        var settings = CofiSettings.FromConfig(CofiConfig.Load(null, "cofi.pipeline.stage.lid.simulated { latency = 0ms, spread = 0ms }", hocon));
        return new SimulatedExecutor(settings.Pipeline["lid"], settings.Simulated, "gpu-1", recorder, TimeProvider.System);
    }

    [Fact]
    public async Task Should_give_the_same_result_for_the_same_file_every_time()
    {
        var executor = Executor("", new InMemoryCallRecorder());

        var first = await executor.ExecuteAsync(Call("call-1.wav"), CancellationToken.None);
        var again = await executor.ExecuteAsync(Call("call-1.wav", attempt: 2), CancellationToken.None);

        first.ShouldBe(again);
        first.ShouldBeOfType<CallOutcome.Completed>().Result.ShouldContain("\"simulated\":true");
    }

    [Fact]
    public async Task Should_fail_a_transient_fault_for_the_first_attempts_only_and_record_each_call()
    {
        var recorder = new InMemoryCallRecorder();
        var executor = Executor("cofi.simulated.faults.f { stage = lid, files = [\"b.wav\"], kind = transient, times = 2 }", recorder);

        (await executor.ExecuteAsync(Call("b.wav", 1), CancellationToken.None)).ShouldBeOfType<CallOutcome.TransientFailure>();
        (await executor.ExecuteAsync(Call("b.wav", 2), CancellationToken.None)).ShouldBeOfType<CallOutcome.TransientFailure>();
        (await executor.ExecuteAsync(Call("b.wav", 3), CancellationToken.None)).ShouldBeOfType<CallOutcome.Completed>();

        recorder.Records.Select(r => (r.File, r.Attempt, r.Outcome)).ShouldBe([("b.wav", 1, "transient"), ("b.wav", 2, "transient"), ("b.wav", 3, "completed")]);
    }

    [Fact]
    public async Task Should_fail_roughly_the_configured_share_of_files()
    {
        var executor = Executor("cofi.pipeline.stage.lid.simulated.permanent-rate = 0.2", new InMemoryCallRecorder());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => executor.ExecuteAsync(Call($"f{i}.wav"), CancellationToken.None)));

        outcomes.Count(o => o is CallOutcome.PermanentFailure).ShouldBeInRange(320, 480);
    }

    [Fact]
    public async Task Should_leave_a_readable_call_log_that_drops_a_line_cut_short()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cofi-calls-{Guid.NewGuid():N}.log");
        try
        {
            using (var recorder = new FileCallRecorder(path))
                await Executor("", new InMemoryCallRecorder()).ExecuteAsync(Call("a b'c.wav"), CancellationToken.None)
                    .ContinueWith(_ => recorder.Record(new CallRecord(3, "lid", "a b'c.wav", 1, "gpu-1", "completed", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));
            await File.AppendAllTextAsync(path, "3\tlid\tcut");

            FileCallRecorder.Read(path).ShouldHaveSingleItem().File.ShouldBe("a b'c.wav");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
