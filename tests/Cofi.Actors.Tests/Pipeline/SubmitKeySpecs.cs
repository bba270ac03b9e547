using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Pipeline;

/// <summary>An idempotency key outlives the ActorSystem that recorded it: a retry after a coordinator restart finds it.</summary>
public sealed class SubmitKeySpecs : IDisposable
{
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("cofi.persistence.snapshot-every = 1000")]
    [InlineData("cofi.persistence.snapshot-every = 1")]
    public async Task Should_answer_a_retry_after_a_restart_with_the_first_batch(string persistence)
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 4, 0);
        var db = _dir.File("cofi.db");
        var submit = new BatchCommands.Submit(input, false, "first try", 3, new Dictionary<string, string> { ["team"] = "sales" }, "retry-after-restart");

        long batchId;
        await using (var first = await PipelineHost.StartAsync(db, persistence))
        {
            batchId = (await first.Manager.Ask<BatchReplies.Accepted>(submit, Ask)).BatchId;
            await first.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), TimeSpan.FromMinutes(1));
        }

        await using var second = await PipelineHost.StartAsync(db, persistence);
        var retried = await second.Manager.Ask<ISubmitReply>(submit, Ask);
        var other = await second.Manager.Ask<ISubmitReply>(submit with { Priority = 4 }, Ask);
        var batches = await second.Manager.Ask<BatchReplies.List>(BatchQueries.GetBatches.Instance, Ask);

        retried.ShouldBe(new BatchReplies.Accepted(batchId, false, Replayed: true));
        other.ShouldBe(new BatchReplies.SubmitKeyConflict("retry-after-restart", batchId));
        batches.Batches.Select(b => (b.BatchId, b.Name, b.Priority, b.Labels["team"])).ShouldBe([(batchId, "first try", 3, "sales")]);
    }

    public void Dispose() => _dir.Dispose();
}
