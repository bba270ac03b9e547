namespace Cofi.Actors.Executors;

/// <summary>An executor that retries and times out each attempt itself; <see cref="Deadline"/> bounds the whole call.</summary>
public interface IOwnsRetries
{
    TimeSpan Deadline { get; }
}
