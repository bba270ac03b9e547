using Microsoft.Extensions.Logging;

namespace Cofi.Management;

/// <summary>
/// One line per mutation an operator asks of this node, with the reason given: the node's log is the record of it
/// for now. Written through the host's logging when it has a provider that takes it (the JSON log stream), else
/// to standard output beside the node's other lines.
/// </summary>
public sealed class OperatorLog(ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("Cofi");

    public void Mutation(string what, string? reason)
    {
        var line = $"operator: {what}" + (string.IsNullOrWhiteSpace(reason) ? " (no reason given)" : $" (reason: {reason})");
        if (_log.IsEnabled(LogLevel.Information)) _log.LogInformation("{Line}", line);
        else Console.WriteLine(line);
    }
}
