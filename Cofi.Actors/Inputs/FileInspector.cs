using Microsoft.Win32.SafeHandles;

namespace Cofi.Actors.Inputs;

/// <summary>Turns one path of a batch's input into an <see cref="InputFile"/>, never throwing for a bad file.</summary>
internal static class FileInspector
{
    public static InputFile Inspect(int fileId, string name, string path)
    {
        var stat = FileStat.Of(path);
        return stat.Kind switch
        {
            FileKind.Regular when stat.Size == 0 => Invalid(fileId, name, path, "empty file (0 bytes)"),
            FileKind.Regular => ReadHeader(fileId, name, path, stat.Size),
            FileKind.Directory => Invalid(fileId, name, path, "is a directory, not a file"),
            FileKind.Special => Invalid(fileId, name, path, "not a regular file"),
            FileKind.Unreadable => Invalid(fileId, name, path, $"cannot read: {stat.Error}"),
            _ => Invalid(fileId, name, path, MissingReason(path)),
        };
    }

    public static InputFile Invalid(int fileId, string name, string path, string error) =>
        new(fileId, name, path, 0, null, error);

    private static InputFile ReadHeader(int fileId, string name, string path, long size)
    {
        Span<byte> head = stackalloc byte[AudioHeader.BytesNeeded];
        int read;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = ReadFully(handle, head);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Invalid(fileId, name, path, $"cannot read: {ex.Message}");
        }

        // Stopping short of the buffer means end of file, which is then the true length even if
        // the file shrank after it was examined.
        var length = read < head.Length ? read : size;

        var (format, error) = AudioHeader.Probe(head[..read], length);
        var seconds = format is { } known ? AudioDuration.Seconds(head[..read], length, known) : null;
        return new InputFile(fileId, name, path, length, format, error, seconds);
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static string MissingReason(string path)
    {
        var link = new FileInfo(path);
        if (link.LinkTarget is null)
        {
            return $"file not found: {path}";
        }

        string target;
        try
        {
            target = link.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link.LinkTarget;
        }
        catch (IOException)
        {
            target = link.LinkTarget;
        }

        return $"cannot read: broken symbolic link to {target}";
    }
}
