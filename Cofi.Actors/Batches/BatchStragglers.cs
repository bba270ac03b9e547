using Akka.Actor;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

/// <summary>
/// The answer to <see cref="BatchQueries.GetStragglers"/>: the calls running longest right now across the batch's GPU
/// stages, longest first, and each stage's backup attempts and calls so far. Empty for a batch that is not running.
/// </summary>
public sealed record BatchStragglers(long BatchId, IReadOnlyList<Straggler> Calls, IReadOnlyList<StageSpeculation> Stages) : ICofiMessage, IWithBatchId
{
    /// <summary>How long a stage has to answer; one that does not is left out rather than holding the whole answer.</summary>
    private static readonly TimeSpan StageAnswersWithin = TimeSpan.FromSeconds(1);

    public static BatchStragglers None(long batchId) => new(batchId, [], []);

    /// <summary>The supervisor's side: asks each stage for its longest running calls and keeps the <paramref name="limit"/> longest of all.</summary>
    public static async Task<BatchStragglers> AskAsync(long batchId, IReadOnlyList<IActorRef> stages, int limit)
    {
        var answers = await Task.WhenAll(stages.Select(async stage =>
        {
            try
            {
                return await stage.Ask<StageReplies.Stragglers>(new StageQueries.GetStragglers(limit), StageAnswersWithin);
            }
            catch (AskTimeoutException)
            {
                return null;
            }
        }));
        var answered = answers.OfType<StageReplies.Stragglers>().ToList();
        var longest = answered.SelectMany(a => a.Calls).OrderByDescending(c => c.RunningForMs).ThenBy(c => c.StartedAt).Take(limit).ToList();
        return new BatchStragglers(batchId, longest, answered.Select(a => a.Figures).ToList());
    }
}
