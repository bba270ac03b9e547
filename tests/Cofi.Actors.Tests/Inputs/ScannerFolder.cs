using System.Diagnostics;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

/// <summary>A temporary folder for input-scanning specs, with helpers that write WAV files, manifests and FIFOs into it.</summary>
public abstract class ScannerFolder : IDisposable
{
    protected static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    protected readonly string root = Directory.CreateTempSubdirectory("cofi-inputs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    protected static byte[] WavBytes()
    {
        var bytes = new byte[4044];
        "RIFF"u8.CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), bytes.Length - 8);
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BitConverter.TryWriteBytes(bytes.AsSpan(16), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        return bytes;
    }

    // A scan that opens a FIFO never returns, so the wait is bounded and fails the test instead.
    protected static Task<List<InputFile>> ScanWithin(TimeSpan limit, string input) =>
        Task.Run(() => InputScanner.Scan(input).ToList()).WaitAsync(limit);

    protected string WriteWav(string relativePath)
    {
        var path = Path.Join(root, relativePath);
        File.WriteAllBytes(path, WavBytes());
        return path;
    }

    protected string WriteManifest(params string[] lines) => WriteManifestAt("batch.txt", lines);

    protected string WriteManifestAt(string relativePath, params string[] lines)
    {
        var path = Path.Join(root, relativePath);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    protected string MakeFifo(string name)
    {
        var path = Path.Join(root, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        mkfifo.ExitCode.ShouldBe(0);
        return path;
    }
}
