namespace Cofi.Actors.Inputs;
public enum AudioFormat { Wav, Mp3, Flac }
public sealed record InputFile(int FileId, string Name, string Path, long SizeBytes, AudioFormat? Format, string? Error) { public bool IsValid => Error is null; }
public sealed class InputUnavailableException(string m) : Exception(m);
public static class InputScanner
{
    public static IEnumerable<InputFile> Scan(string input)
    {
        if (!Directory.Exists(input)) throw new InputUnavailableException($"input not found: {input}");
        var id = 0;
        foreach (var f in Directory.GetFiles(input).Order(StringComparer.Ordinal))
        {
            var len = new FileInfo(f).Length;
            var head = new byte[4];
            using (var s = File.OpenRead(f)) s.ReadExactly(head, 0, (int)Math.Min(4, len));
            var ok = len > 0 && head[0] == (byte)'R';
            yield return new InputFile(id++, Path.GetFileName(f), f, len, ok ? AudioFormat.Wav : null, ok ? null : len == 0 ? "empty file (0 bytes)" : "not a WAV, MP3 or FLAC file");
        }
    }
}
public static class SampleBatch
{
    public static IReadOnlyList<string> Generate(string d, int c, int b)
    {
        Directory.CreateDirectory(d);
        var bad = new List<string>();
        for (var i = 1; i <= c; i++)
        {
            var name = $"call-{i:00000}.wav";
            var isBad = b > 0 && i % (c / b) == 0 && bad.Count < b;
            if (isBad) bad.Add(name);
            File.WriteAllBytes(Path.Combine(d, name), isBad ? [] : "RIFF\0\0\0\0WAVEfmt "u8.ToArray());
        }
        return bad;
    }
}
