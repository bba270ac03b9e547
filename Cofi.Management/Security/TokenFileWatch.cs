namespace Cofi.Management.Security;

/// <summary>
/// The tokens of <c>COFI_TOKENS_FILE</c> as the file holds them now: it is read again when its modification time or
/// length changes (looked at no more than once every <see cref="CheckEvery"/>), so a token added with
/// <c>Cofi.Host token add</c> or a line taken out takes effect without a restart. A file that can no longer be read,
/// or has a bad line, leaves the tokens as they were, and <see cref="TakeProblem"/> says why once.
/// </summary>
public sealed class TokenFileWatch
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly IReadOnlySet<string> _reserved;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private volatile IReadOnlyList<TokenEntry> _entries;
    private (DateTime Written, long Length) _stamp;
    private long _checkedAt;
    private string? _problem;

    /// <param name="reserved">names the file may not use (the token of <c>COFI_API_TOKEN</c>)</param>
    /// <exception cref="ManagementConfigurationException">when the file cannot be read at start: the process does not start.</exception>
    public TokenFileWatch(string path, IReadOnlySet<string> reserved, TimeProvider? clock = null)
    {
        _path = path;
        _reserved = reserved;
        _clock = clock ?? TimeProvider.System;
        _stamp = Stamp();
        _entries = Read();
        _checkedAt = _clock.GetTimestamp();
    }

    public string Path => _path;

    /// <summary>The tokens, read again first when the file changed since it was last looked at.</summary>
    public IReadOnlyList<TokenEntry> Entries
    {
        get
        {
            if (_clock.GetElapsedTime(Interlocked.Read(ref _checkedAt)) >= CheckEvery) Refresh();
            return _entries;
        }
    }

    /// <summary>Why the last change to the file was not taken, once; null when there is nothing new to say.</summary>
    public string? TakeProblem() => Interlocked.Exchange(ref _problem, null);

    private void Refresh()
    {
        lock (_gate)
        {
            if (_clock.GetElapsedTime(_checkedAt) < CheckEvery) return;
            Interlocked.Exchange(ref _checkedAt, _clock.GetTimestamp());
            try
            {
                var stamp = Stamp();
                if (stamp == _stamp) return;
                _stamp = stamp; // a version that cannot be taken is reported once, not every second
                _entries = Read();
            }
            catch (ManagementConfigurationException e)
            {
                _problem = $"{e.Message}; keeping the {_entries.Count} token(s) read before";
            }
        }
    }

    private (DateTime, long) Stamp()
    {
        var file = new FileInfo(_path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, -1);
    }

    private IReadOnlyList<TokenEntry> Read()
    {
        var entries = TokenFile.Read(_path);
        if (entries.FirstOrDefault(e => _reserved.Contains(e.Name)) is { } taken)
            throw new ManagementConfigurationException(TokenFile.Variable,
                $"'{taken.Name}' is the name of the token in {AccessSettings.ApiTokenVariable}: name the file's token otherwise");
        return entries;
    }
}
