namespace Cofi.Host.Web;

/// <summary>The body of <c>POST /api/batches</c>. Any other field is refused.</summary>
/// <param name="Input">absolute path of an input folder or manifest file, under a configured input root.</param>
/// <param name="Name">shown with the batch, 1 to 200 printable characters; default: the input folder's or manifest's name.</param>
/// <param name="Priority">from -100 to 100, default 0, higher first; queued batches start by it, and running batches take free machine slots by it.</param>
/// <param name="Labels">at most 32; keys match <c>^[a-z0-9]([a-z0-9._/-]{0,62})$</c>, values are at most 256 characters.</param>
/// <param name="Pipeline">the pipeline to run; only the configured one (<c>default</c>) exists.</param>
/// <param name="ResumeUnfinished">resume an unfinished batch over the same input instead of starting another.</param>
/// <param name="Reason">why the operator submitted it, recorded in the coordinator's log line for it.</param>
public sealed record SubmitRequest(string? Input, string? Name = null, int? Priority = null, IReadOnlyDictionary<string, string?>? Labels = null,
    string? Pipeline = null, bool ResumeUnfinished = false, string? Reason = null);

