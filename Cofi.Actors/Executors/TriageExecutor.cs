using Cofi.Actors.Configuration;

namespace Cofi.Actors.Executors;

/// <summary>The builtin <c>rules</c> stage: the first matching rule skips the file, otherwise it continues.</summary>
public sealed class TriageExecutor(StageSettings stage) : IStageExecutor
{
    public Task<CallOutcome> ExecuteAsync(StageCall call, CancellationToken cancellationToken)
    {
        var match = stage.Rules.FirstOrDefault(r => r.Matches(call.File.Results));
        CallOutcome outcome = match is null
            ? new CallOutcome.Completed("""{"decision":"continue"}""")
            : new CallOutcome.Skipped($"{match.Reason} (rule {match.Name})");
        return Task.FromResult(outcome);
    }
}
