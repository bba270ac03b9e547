using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.ReadModel;

/// <summary>A fresh database of either kind for one test: an SQLite file, or a database on the MariaDB test server.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempDirectory? _dir;
    private readonly MySqlTestDatabase? _mysql;

    public TestDatabase(string kind)
    {
        if (kind == "sqlite")
        {
            _dir = new TempDirectory();
            Settings = DatabaseSettings.Sqlite(_dir.File("cofi.db"));
        }
        else
        {
            _mysql = new MySqlTestDatabase();
            Settings = _mysql.Settings;
        }
    }

    public DatabaseSettings Settings { get; }

    public static TheoryData<string> Kinds => new() { "sqlite", "mariadb" };

    public List<object?[]> Rows(string sql)
    {
        using var connection = Settings.ReadModel.OpenRawConnection();
        return ReadModelComparison.Rows(connection, sql);
    }

    public long Count(string sql)
    {
        using var connection = Settings.ReadModel.OpenRawConnection();
        return Convert.ToInt64(ReadModelComparison.Scalar(connection, sql));
    }

    public void Dispose()
    {
        _mysql?.Dispose();
        _dir?.Dispose();
    }
}
