using System.IO.Enumeration;
using System.Text;

namespace Cofi.Actors.Inputs;

/// <summary>
/// Lists the files of a batch's input, which is either a folder of audio files or a manifest listing them,
/// and checks each one without loading it.
/// </summary>
public static class InputScanner
{
    private const int ManifestSniffBytes = 512;

    // Strict decoding, so a binary file passed by mistake fails as a whole instead of yielding junk paths.
    private static readonly UTF8Encoding ManifestEncoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Scans <paramref name="input"/>: a folder (its regular files, top level only, in ordinal name order,
    /// names starting with '.' ignored) or a UTF-8 manifest (one path per line, relative paths resolved
    /// against the manifest's folder, blank lines and '#' comments ignored, entries in line order).
    /// Files are examined lazily, one per entry enumerated. Problems with one file are reported in its
    /// <see cref="InputFile.Error"/>; an input that cannot be used at all throws
    /// <see cref="InputUnavailableException"/>, at once for a missing path.
    /// With a <paramref name="confinement"/>, the input and every entry must stay under its roots: an entry that does
    /// not fails with the reason and is never opened, and so does a manifest line with a <c>..</c> segment.
    /// </summary>
    public static IEnumerable<InputFile> Scan(string input, InputConfinement? confinement = null)
    {
        var (path, shape) = Locate(input);
        if (confinement is not null && !confinement.Holds(path))
            throw new InputUnavailableException(path, $"input leads outside the input roots: {path}");
        return shape switch
        {
            InputShape.Folder => ScanFolder(path, confinement),
            InputShape.Manifest => ScanManifest(path, confinement),
            _ => [],
        };
    }

    /// <summary>A one-line description of the input for logs and progress output.</summary>
    public static string Describe(string input)
    {
        var (path, shape) = Locate(input);
        if (shape == InputShape.Folder)
        {
            return $"folder {path}";
        }

        var entries = shape == InputShape.Manifest ? ReadManifest(path).Count() : 0;
        return $"manifest {path} ({entries} {(entries == 1 ? "entry" : "entries")})";
    }

    private enum InputShape
    {
        Folder,
        Manifest,

        // Never opened: where file types are unknown (see FileStat) a FIFO looks like an empty file.
        EmptyManifest,
    }

    private static (string Path, InputShape Shape) Locate(string input)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(input));
        var stat = FileStat.Of(path);
        switch (stat.Kind)
        {
            case FileKind.Directory:
                return (path, InputShape.Folder);
            case FileKind.Regular when stat.Size == 0:
                return (path, InputShape.EmptyManifest);
            case FileKind.Regular:
                EnsureTextManifest(path);
                return (path, InputShape.Manifest);
            case FileKind.Special:
                throw new InputUnavailableException(path, $"input is not a folder or a regular file: {path}");
            case FileKind.Unreadable:
                throw new InputUnavailableException(path, $"cannot read input {path}: {stat.Error}");
            default:
                throw new InputUnavailableException(path, $"input not found: {path}");
        }
    }

    // Rejects an audio file (or other binary) given as the input before it yields entries made of junk paths.
    private static void EnsureTextManifest(string path)
    {
        Span<byte> head = stackalloc byte[ManifestSniffBytes];
        int read;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = RandomAccess.Read(handle, head, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputUnavailableException(path, $"cannot read manifest {path}: {ex.Message}", ex);
        }

        if (head[..read].Contains((byte)0))
        {
            throw new InputUnavailableException(path, $"input is neither a folder nor a text manifest: {path}");
        }
    }

    private static IEnumerable<InputFile> ScanFolder(string folder, InputConfinement? confinement)
    {
        var names = ListFolder(folder);
        for (var fileId = 0; fileId < names.Count; fileId++)
        {
            yield return Inspect(fileId, names[fileId], Path.Join(folder, names[fileId]), confinement);
        }
    }

    private static InputFile Inspect(int fileId, string name, string path, InputConfinement? confinement) =>
        confinement?.Refusal(path, name) is { } refusal ? FileInspector.Invalid(fileId, name, path, refusal) : FileInspector.Inspect(fileId, name, path);

    private static List<string> ListFolder(string folder)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false };
        var entries = new FileSystemEnumerable<string>(
            folder,
            (ref entry) => entry.FileName.ToString(),
            options)
        {
            // Subfolders are ignored unless their name says they were meant to be audio files.
            ShouldIncludePredicate = (ref entry) =>
                !entry.FileName.StartsWith('.') && (!entry.IsDirectory || HasAudioExtension(entry.FileName)),
        };

        try
        {
            var names = entries.ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputUnavailableException(folder, $"cannot read folder {folder}: {ex.Message}", ex);
        }
    }

    private static bool HasAudioExtension(ReadOnlySpan<char> name) =>
        name.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".mp3", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".flac", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<InputFile> ScanManifest(string manifest, InputConfinement? confinement)
    {
        var baseFolder = Path.GetDirectoryName(manifest)!;
        var firstLineByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var fileId = 0;
        foreach (var (line, entry) in ReadManifest(manifest))
        {
            yield return Resolve(fileId++, line, entry, baseFolder, firstLineByName, confinement);
        }
    }

    private static InputFile Resolve(int fileId, int line, string entry, string baseFolder, Dictionary<string, int> firstLineByName,
        InputConfinement? confinement)
    {
        string path;
        try
        {
            path = Path.GetFullPath(entry, baseFolder);
        }
        catch (ArgumentException ex)
        {
            return FileInspector.Invalid(fileId, Path.GetFileName(entry), entry, $"invalid path: {ex.Message}");
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        if (!firstLineByName.TryAdd(name, line))
        {
            return FileInspector.Invalid(fileId, name, path, $"duplicate file name, first listed on line {firstLineByName[name]}");
        }

        if (confinement is not null && entry.Split('/', '\\').Contains(".."))
        {
            return FileInspector.Invalid(fileId, name, path, $"refused: line {line} has a '..' segment; it was not opened");
        }

        return Inspect(fileId, name, path, confinement);
    }

    private static IEnumerable<(int Line, string Entry)> ReadManifest(string manifest)
    {
        using var reader = OpenManifest(manifest);
        var line = 0;
        while (ReadLine(reader, manifest) is { } text)
        {
            line++;
            var entry = text.Trim();
            if (entry.Length > 0 && entry[0] != '#')
            {
                yield return (line, entry);
            }
        }
    }

    private static StreamReader OpenManifest(string manifest)
    {
        try
        {
            return new StreamReader(manifest, ManifestEncoding, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputUnavailableException(manifest, $"cannot read manifest {manifest}: {ex.Message}", ex);
        }
    }

    private static string? ReadLine(StreamReader reader, string manifest)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException ex)
        {
            throw new InputUnavailableException(manifest, $"manifest {manifest} is not UTF-8 text", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputUnavailableException(manifest, $"cannot read manifest {manifest}: {ex.Message}", ex);
        }
    }
}
