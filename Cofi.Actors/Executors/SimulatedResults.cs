using System.Text.Json;

namespace Cofi.Actors.Executors;

/// <summary>Deterministic stand-in results, shaped like the real model services' answers and marked as simulated.</summary>
public static class SimulatedResults
{
    private static readonly (string Language, double Upto)[] Languages = [("en", 0.70), ("es", 0.88), ("de", 0.94), ("fr", 1.0)];
    private static readonly string[] Sentiments = ["positive", "neutral", "negative"];
    private static readonly string[] Categories = ["billing", "support", "sales", "complaint", "other"];

    public static string For(string stage, string file)
    {
        var u = StableHash.Unit(file, stage);
        object result = stage switch
        {
            "denoise" => new { simulated = true, snrDb = Math.Round(8 + 20 * u, 1), cleanedSeconds = Math.Round(30 + 270 * u, 1) },
            "ivr" => new { simulated = true, isIvr = StableHash.Unit(file, "ivr-flag") < 0.10, confidence = Math.Round(0.8 + 0.2 * u, 3) },
            "lid" => new { simulated = true, language = Language(file), confidence = Math.Round(0.7 + 0.3 * u, 3) },
            "stt" => new { simulated = true, transcript = $"[simulated transcript of {file}]", words = 50 + (int)(400 * u) },
            "llm1" => new { simulated = true, summary = $"[simulated summary of {file}]", tokens = 100 + (int)(300 * u) },
            "llm2" => new { simulated = true, sentiment = Pick(Sentiments, u), category = Pick(Categories, StableHash.Unit(file, "category")) },
            _ => new { simulated = true, stage, score = Math.Round(u, 4) },
        };
        return JsonSerializer.Serialize(result);
    }

    public static string Language(string file)
    {
        var u = StableHash.Unit(file, "language");
        return Languages.First(l => u < l.Upto).Language;
    }

    private static string Pick(string[] values, double u) => values[Math.Min(values.Length - 1, (int)(u * values.Length))];
}
