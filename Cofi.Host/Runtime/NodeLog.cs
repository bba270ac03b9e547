using Cofi.Actors.Configuration;
using Microsoft.Extensions.Logging;

namespace Cofi.Host.Runtime;

public enum LogFormat
{
    /// <summary>Plain lines for a terminal.</summary>
    Text,

    /// <summary>One JSON object a line (Microsoft.Extensions.Logging's JSON console format), for log shippers.</summary>
    Json,
}

/// <summary>
/// The lines a node prints for its operator (up, running a batch, draining): plain text, or, with
/// <c>--log-format json</c>, log entries of category <c>Cofi</c> in the same JSON stream as Akka's and ASP.NET Core's logs.
/// </summary>
public sealed class NodeLog(ILogger? json)
{
    public const string Variable = "COFI_LOG_FORMAT";

    public static readonly NodeLog Text = new(null);

    public void Info(string line)
    {
        if (json is null) Console.WriteLine(line);
        else json.LogInformation("{Line}", line);
    }

    /// <summary>Why the node could not go on: on standard error, or as an error entry.</summary>
    public void Refusal(string line)
    {
        if (json is null) Console.Error.WriteLine(line);
        else json.LogError("{Line}", line);
    }

    /// <exception cref="InvalidConfigurationException">naming the option or variable when the format is neither text nor json.</exception>
    public static LogFormat ParseFormat(string? option, Func<string, string?> environment)
    {
        var key = option is not null ? "--log-format" : Variable;
        var raw = option ?? environment(Variable);
        return raw?.Trim().ToLowerInvariant() switch
        {
            null or "" or "text" => LogFormat.Text,
            "json" => LogFormat.Json,
            _ => throw new InvalidConfigurationException(key, $"'{raw}' is not a log format: text or json"),
        };
    }
}
