using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cofi.Actors.Batches;
using Cofi.Actors.Inputs;

namespace Cofi.Host.Web;

/// <summary>Turns a submission over the API into the BatchManager's command, or names every field it refuses.</summary>
public static partial class SubmitRules
{
    public const string DefaultPipeline = "default";
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int MaxName = 200;
    public const int MinPriority = -100;
    public const int MaxPriority = 100;
    public const int MaxLabels = 32;
    public const int MaxLabelValue = 256;
    public const int MaxKey = 200;

    /// <summary>What each field of <see cref="SubmitRequest"/> must be, for the message of a wrong type.</summary>
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>
    {
        ["input"] = "a string, the absolute path of a folder or manifest",
        ["name"] = "a string",
        ["priority"] = $"a whole number from {MinPriority} to {MaxPriority}",
        ["labels"] = "an object of string values",
        ["labels.*"] = "a string",
        ["pipeline"] = "a string",
        ["resumeUnfinished"] = "true or false",
        ["reason"] = "a string",
    };

    [GeneratedRegex("^[a-z0-9]([a-z0-9._/-]{0,62})$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelKey();

    /// <summary>The command to send, or every refused field (by name, the header by its name) with why.</summary>
    public static (BatchCommands.Submit? Command, Dictionary<string, string[]> Errors) Check(SubmitRequest request, string? idempotencyKey, IReadOnlyList<string> roots)
    {
        var errors = new Dictionary<string, string[]>();
        void Refuse(string field, string problem) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], problem];

        var (path, inputProblem) = InputRoots.Check(request.Input, roots);
        if (path is null) Refuse("input", inputProblem!);
        else if (EmptyInput(path, roots) is { } empty) Refuse("input", empty);
        if (request.Pipeline is { } pipeline && pipeline != DefaultPipeline)
            Refuse("pipeline", $"unknown pipeline '{pipeline}'; this process runs '{DefaultPipeline}'");
        if (request.Name is { } name && NameProblem(name) is { } nameProblem) Refuse("name", nameProblem);
        if (request.Priority is < MinPriority or > MaxPriority)
            Refuse("priority", $"must be from {MinPriority} to {MaxPriority} (got {request.Priority})");
        foreach (var (field, problem) in LabelProblems(request.Labels ?? new Dictionary<string, string?>())) Refuse(field, problem);
        if (idempotencyKey is not null && KeyProblem(idempotencyKey) is { } keyProblem) Refuse(IdempotencyHeader, keyProblem);
        if (Management.OperatorBody.ReasonProblem(request.Reason) is not null) Refuse("reason", $"must be one line of at most {Management.OperatorBody.MaxReason} printable characters");
        if (errors.Count > 0) return (null, errors);

        var labels = (request.Labels ?? new Dictionary<string, string?>()).OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value!);
        return (new BatchCommands.Submit(path!, request.ResumeUnfinished, request.Name, request.Priority ?? 0, labels, idempotencyKey), errors);
    }

    /// <summary>Why an input that exists cannot make a batch: no entry to process, or unreadable.</summary>
    private static string? EmptyInput(string path, IReadOnlyList<string> roots)
    {
        try
        {
            if (InputScanner.Scan(path, InputConfinement.For(path, roots)).Any()) return null;
            return Directory.Exists(path) ? $"the folder holds no file: {path}" : $"the manifest lists no file: {path}";
        }
        catch (InputUnavailableException e)
        {
            return e.Message;
        }
    }

    private static string? NameProblem(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "must not be empty or blank";
        var length = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            length++;
            if (!IsPrintable(rune)) return $"must hold printable characters only (U+{rune.Value:X4} at {length})";
        }
        return length > MaxName ? $"must be at most {MaxName} characters (got {length})" : null;
    }

    // Line and paragraph separators break the one line a name is shown on.
    private static bool IsPrintable(Rune rune) => Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned);

    private static IEnumerable<(string Field, string Problem)> LabelProblems(IReadOnlyDictionary<string, string?> labels)
    {
        if (labels.Count > MaxLabels) yield return ("labels", $"at most {MaxLabels} labels (got {labels.Count})");
        foreach (var (key, value) in labels)
        {
            if (!LabelKey().IsMatch(key)) yield return ("labels", $"key '{key}' must match {LabelKey()}");
            else if (value is null) yield return ($"labels.{key}", "must be a string");
            else if (value.Length > MaxLabelValue) yield return ($"labels.{key}", $"must be at most {MaxLabelValue} characters (got {value.Length})");
        }
    }

    private static string? KeyProblem(string key) =>
        key.Length is 0 or > MaxKey ? $"must be 1 to {MaxKey} characters (got {key.Length})"
        : key.Any(c => c is < '!' or > '~') ? "must hold visible ASCII characters only, no spaces"
        : null;
}
