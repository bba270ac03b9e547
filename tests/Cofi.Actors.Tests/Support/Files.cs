using Cofi.Actors.Executors;

namespace Cofi.Actors.Tests.Support;

/// <summary>Picks sample files by what the simulated models will say about them.</summary>
public static class SampleFiles
{
    public static string Name(int number) => $"call-{number:00000}.wav";

    /// <summary>Neither an IVR recording nor in a language triage turns away: goes through every stage.</summary>
    public static bool PassesTriage(string name) =>
        StableHash.Unit(name, "ivr-flag") >= 0.10 && SimulatedResults.Language(name) is "en" or "es";

    public static bool IsIvr(string name) => StableHash.Unit(name, "ivr-flag") < 0.10;

    public static IEnumerable<string> Passing(int count) =>
        Enumerable.Range(1, count).Select(Name).Where(PassesTriage);
}
