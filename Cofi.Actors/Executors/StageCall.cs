using Cofi.Actors.Files;

namespace Cofi.Actors.Executors;

/// <summary>One attempt at running one file through one stage on one machine.</summary>
public sealed record StageCall(long BatchId, string Stage, FileWork File, int Attempt, string Machine)
{
    /// <summary>The same for every attempt, so a model service can recognise a retried call.</summary>
    public string IdempotencyKey => $"{BatchId}:{Stage}:{File.Name}";
}
