using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Http;

/// <summary>
/// Two batches at once on 2 machines with 2 slots per stage, against real model services on loopback that count
/// the requests they answer at once: a machine's slots are the machine's, and batches take them by priority, or
/// share them evenly at equal priority.
/// </summary>
public sealed class SharedSlotsSpecs : IDisposable
{
    private const int Files = 60;
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_never_call_a_machine_beyond_its_slots_and_finish_the_higher_priority_batch_first()
    {
        await using var server = await FakeModelServer.StartAsync(2);
        server.Faults = new FaultMix(Latency: TimeSpan.FromMilliseconds(40));
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Pipeline(server));

        var low = await SubmitAsync(host, Input("low"), priority: 0);
        var high = await SubmitAsync(host, Input("high"), priority: 50);
        var (lowEnd, highEnd) = (await AwaitAsync(host, low), await AwaitAsync(host, high));

        server.MostAtOnce.ShouldNotBeEmpty();
        server.MostAtOnce.ShouldAllBe(m => m.Value <= 2, "two batches, but never more calls at a machine's stage than its 2 slots");
        server.MostAtOnce.Values.Max().ShouldBe(2, "the slots were used");
        (lowEnd.Status, highEnd.Status).ShouldBe((BatchStatus.Completed, BatchStatus.Completed));
        highEnd.At.ShouldBeLessThan(lowEnd.At, "the batch of higher priority took the freed slots first, though it came second");
    }

    [Fact]
    public async Task Should_split_the_calls_of_two_batches_of_equal_priority_evenly()
    {
        await using var server = await FakeModelServer.StartAsync(2);
        server.Faults = new FaultMix(Latency: TimeSpan.FromMilliseconds(40));
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), Pipeline(server));

        var first = await SubmitAsync(host, Input("first"), priority: 0);
        var second = await SubmitAsync(host, Input("second"), priority: 0);
        var firstEnd = await AwaitAsync(host, first);
        var secondEnd = await AwaitAsync(host, second);

        server.MostAtOnce.ShouldAllBe(m => m.Value <= 2);
        // While both ran, each took about half of the calls.
        var both = Min(firstEnd.At, secondEnd.At);
        var calls = server.Calls.Where(c => c.At < both && c.IdempotencyKey is { Length: > 0 })
            .GroupBy(c => long.Parse(c.IdempotencyKey!.Split(':')[0])).ToDictionary(g => g.Key, g => g.Count());
        var (a, b) = (calls.GetValueOrDefault(first), calls.GetValueOrDefault(second));
        Math.Abs(a - b).ShouldBeLessThanOrEqualTo((int)(0.10 * Math.Max(a, b)) + 1, $"calls while both ran: {a} and {b}");
    }

    private string Input(string name)
    {
        var input = Path.Combine(_dir.Path, name);
        SampleBatch.Generate(input, Files, 0);
        return input;
    }

    internal static async Task<long> SubmitAsync(PipelineHost host, string input, int priority) =>
        (await host.Manager.Ask<BatchReplies.Accepted>(new BatchCommands.Submit(input, ResumeUnfinished: false, Priority: priority), Ask)).BatchId;

    internal static Task<BatchFinished> AwaitAsync(PipelineHost host, long batchId) =>
        host.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), TimeSpan.FromMinutes(3));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Pipeline(FakeModelServer server) => ModelServiceFaultSpecs.HttpPipeline(server, dead: null) + """
        cofi.max-concurrent-batches = 2
        cofi.stage-defaults.slots = 2
        """;

    public void Dispose() => _dir.Dispose();
}
