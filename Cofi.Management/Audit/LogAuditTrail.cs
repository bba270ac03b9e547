using Microsoft.Extensions.Logging;

namespace Cofi.Management.Audit;

/// <summary>The audit trail of a node without a read model (a GPU node, the Lighthouse): one line in its log for each mutation.</summary>
public sealed class LogAuditTrail(ILoggerFactory loggers) : IAuditTrail
{
    private readonly ILogger _log = loggers.CreateLogger("Cofi.Audit");

    public Task RecordAsync(AuditEntry e, CancellationToken cancel)
    {
        var line = $"audit: {e.Action} {e.Target} by {e.TokenName ?? "(no token)"} ({e.Role ?? "-"}) from {e.ClientAddress}: {e.Outcome}" +
            (e.Reason is null ? "" : $" (reason: {e.Reason})");
        if (_log.IsEnabled(LogLevel.Information)) _log.LogInformation("{Line}", line);
        else Console.WriteLine(line);
        return Task.CompletedTask;
    }
}
