using System.Text;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.ReadModel;

/// <summary>Names of the read-model tables and of their per-stage columns, as the deployment Cofi replaces has them.</summary>
public static class ReadModelTables
{
    public const string BatchStatus = "batchStatus";
    public const string ExecutionLog = "batchExecutionLog";
    public const string ExecutionLogArchive = "batchExecutionLog_archive";
    public const string FileDistribution = "fileDistribution";
    public const string ProcessingLogs = "processing_logs";
    public const string FileResults = "file_results";

    /// <summary>How far the read model has projected each persistent actor's journal; written in the same transaction as the rows.</summary>
    public const string Offsets = "readmodel_offsets";

    /// <summary><c>denoiseStatus</c>, <c>triagingStatus</c> (the old deployment's name for triage), …</summary>
    public static string StatusColumn(string stage) => (stage == "triage" ? "triaging" : Identifier(stage)) + "Status";

    /// <summary><c>denoiseDone</c>, … for the stages that call a model (gpu and llm kinds).</summary>
    public static string DoneColumn(string stage) => Identifier(stage) + "Done";

    public static bool HasDoneColumn(StageSettings stage) => stage.Kind is StageKind.Gpu or StageKind.Llm;

    /// <summary>Stage names are configuration: keep letters, digits and underscores so they are safe as column names.</summary>
    private static string Identifier(string stage)
    {
        var builder = new StringBuilder(stage.Length);
        foreach (var c in stage) builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return builder.ToString();
    }
}
