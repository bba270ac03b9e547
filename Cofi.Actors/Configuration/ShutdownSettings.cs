using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace Cofi.Actors.Configuration;

/// <summary><c>cofi.shutdown</c>, with <c>COFI_SHUTDOWN_GRACE</c> from the environment winning.</summary>
/// <param name="Grace">how long a stop lets the calls in flight finish and be recorded.</param>
public sealed partial record ShutdownSettings(TimeSpan Grace)
{
    public const string GraceVariable = "COFI_SHUTDOWN_GRACE";

    /// <summary>What a stop may take on top of the grace (stopping the batches, the read model's last flush, leaving the cluster).</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxGrace = TimeSpan.FromHours(1);

    /// <exception cref="InvalidConfigurationException">naming the key or the variable of an invalid value.</exception>
    public static ShutdownSettings FromConfig(Config config, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        const string path = "cofi.shutdown";
        if (!config.HasPath(path)) throw new InvalidConfigurationException(path, "missing section");
        var section = new ConfigReader(config.GetConfig(path), path);
        var key = section.Key("grace");
        var grace = section.Duration("grace", TimeSpan.Zero);
        if (environment(GraceVariable) is { } raw && raw.Trim().Length > 0)
        {
            key = GraceVariable;
            grace = ParseDuration(raw.Trim())
                    ?? throw new InvalidConfigurationException(GraceVariable, $"'{raw}' is not a duration such as 30s, 2m or 500ms");
        }
        if (grace > MaxGrace) throw new InvalidConfigurationException(key, $"must be at most {MaxGrace.TotalMinutes:0} minutes (got {grace})");
        return new ShutdownSettings(grace);
    }

    private static TimeSpan? ParseDuration(string raw)
    {
        var match = DurationPattern().Match(raw);
        if (!match.Success) return null;
        var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" or "min" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromHours(amount),
        };
    }

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)\s*(?<unit>ms|s|min|m|h)$")]
    private static partial Regex DurationPattern();
}
