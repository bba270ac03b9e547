using System.Runtime.InteropServices;

namespace Cofi.Actors.Inputs;

/// <summary>
/// The type and size of whatever a path finally points to (symbolic links followed), found without opening it.
/// </summary>
/// <remarks>
/// .NET's <see cref="FileInfo"/> cannot tell a FIFO, socket or device from an empty regular file, and opening
/// a FIFO blocks until a writer appears, so on Linux the type comes from statx(2). Elsewhere
/// <see cref="FileInfo"/> is used; special files then look like empty regular files, and as empty files
/// are never opened they still cannot block a scan.
/// </remarks>
internal readonly record struct FileStat(FileKind Kind, long Size, string? Error = null)
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int DirectoryType = 0x4000;
    private const int NoSuchEntry = 2;
    private const int NotADirectory = 20;

    private static bool statxUnavailable = !OperatingSystem.IsLinux();

    public static FileStat Of(string path)
    {
        if (!statxUnavailable)
        {
            try
            {
                return FromStatx(path);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                statxUnavailable = true;
            }
        }

        return FromFileInfo(path);
    }

    internal static FileStat FromFileInfo(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            }

            if (Directory.Exists(info.FullName))
            {
                return new FileStat(FileKind.Directory, 0);
            }

            return info.Exists ? new FileStat(FileKind.Regular, info.Length) : new FileStat(FileKind.Missing, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FileStat(FileKind.Unreadable, 0, ex.Message);
        }
    }

    private static FileStat FromStatx(string path)
    {
        if (Statx(AtCurrentDirectory, path, 0, StatxType | StatxSize, out var status) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is NoSuchEntry or NotADirectory
                ? new FileStat(FileKind.Missing, 0)
                : new FileStat(FileKind.Unreadable, 0, Marshal.GetPInvokeErrorMessage(errno));
        }

        return (status.Mode & TypeMask) switch
        {
            RegularType => new FileStat(FileKind.Regular, (long)status.Size),
            DirectoryType => new FileStat(FileKind.Directory, 0),
            _ => new FileStat(FileKind.Special, 0),
        };
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(
        int directoryFd,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        int flags,
        uint mask,
        out StatxBuffer buffer);

    // struct statx has the same layout on every Linux architecture; only the fields read here are declared.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(40)]
        public ulong Size;
    }
}
