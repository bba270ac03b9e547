namespace Cofi.Actors.Executors;

/// <summary>FNV-1a over text: the same file always draws the same simulated numbers, on every run and machine.</summary>
public static class StableHash
{
    public static ulong Of(string text, string salt = "")
    {
        var hash = 14695981039346656037UL;
        foreach (var c in salt) hash = (hash ^ c) * 1099511628211UL;
        hash = (hash ^ '|') * 1099511628211UL;
        foreach (var c in text) hash = (hash ^ c) * 1099511628211UL;
        // Final avalanche so that names differing in the last character still spread over [0, 1).
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }

    public static double Unit(string text, string salt = "") => (Of(text, salt) >> 11) * (1.0 / (1UL << 53));
}
