using Akka.Configuration;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Logging;

/// <summary><c>cofi.event-writer</c>, with <c>LOG_FILE_START_EVENTS</c> and <c>PROGRESS_UPDATE_INTERVAL</c> from the environment winning.</summary>
public sealed record EventWriterSettings(
    int FlushRows,
    TimeSpan FlushInterval,
    int HighWaterMark,
    TimeSpan RetryBackoffMin,
    TimeSpan RetryBackoffMax,
    bool LogFileStartEvents,
    int ProgressUpdateInterval)
{
    public const string LogFileStartEventsVariable = "LOG_FILE_START_EVENTS";
    public const string ProgressUpdateIntervalVariable = "PROGRESS_UPDATE_INTERVAL";

    /// <exception cref="InvalidConfigurationException">naming the key or variable of the first invalid value.</exception>
    public static EventWriterSettings FromConfig(Config config, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        const string path = "cofi.event-writer";
        if (!config.HasPath(path)) throw new InvalidConfigurationException(path, "missing section");
        var section = new ConfigReader(config.GetConfig(path), path);
        bool logStarts;
        try
        {
            logStarts = config.GetBoolean($"{path}.log-file-start-events");
        }
        catch (Exception e) when (e is not InvalidConfigurationException)
        {
            throw new InvalidConfigurationException(section.Key("log-file-start-events"), "must be true or false");
        }
        if (environment(LogFileStartEventsVariable) is { Length: > 0 } starts)
            logStarts = bool.TryParse(starts, out var parsed) ? parsed
                : throw new InvalidConfigurationException(LogFileStartEventsVariable, $"must be true or false (got '{starts}')");
        var interval = section.Int("progress-update-interval", 1);
        if (environment(ProgressUpdateIntervalVariable) is { Length: > 0 } every)
            interval = int.TryParse(every, out var n) && n >= 1 ? n
                : throw new InvalidConfigurationException(ProgressUpdateIntervalVariable, $"must be a whole number of at least 1 (got '{every}')");
        var min = section.Duration("retry-backoff-min", TimeSpan.FromMilliseconds(1));
        var max = section.Duration("retry-backoff-max", TimeSpan.FromMilliseconds(1));
        if (max < min) throw new InvalidConfigurationException(section.Key("retry-backoff-max"), $"must be at least retry-backoff-min ({min})");
        var flushRows = section.Int("flush-rows", 1, 10_000);
        var highWater = section.Int("high-water-mark", 1);
        if (highWater < flushRows) throw new InvalidConfigurationException(section.Key("high-water-mark"), $"must be at least flush-rows ({flushRows})");
        return new EventWriterSettings(flushRows, section.Duration("flush-interval", TimeSpan.FromMilliseconds(1)), highWater, min, max, logStarts, interval);
    }
}
