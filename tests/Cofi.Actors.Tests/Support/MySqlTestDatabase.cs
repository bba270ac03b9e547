using Cofi.Actors.Persistence;
using MySqlConnector;

namespace Cofi.Actors.Tests.Support;

/// <summary>
/// A fresh database on the MariaDB / MySQL server that scripts/mariadb-start runs (or the one COFI_TEST_MYSQL names),
/// dropped on dispose. There is no skipping: when the server cannot be reached the test fails, saying so.
/// </summary>
public sealed class MySqlTestDatabase : IDisposable
{
    public const string Variable = "COFI_TEST_MYSQL";
    public const string DefaultServer = "Server=127.0.0.1;Port=3306;User ID=cofi;Password=cofipw;Database=cofi";

    public MySqlTestDatabase(string? server = null)
    {
        var builder = new MySqlConnectionStringBuilder(server ?? Server);
        Name = $"cofi_test_{Guid.NewGuid():N}"[..30];
        Admin = builder.ConnectionString;
        try
        {
            Execute($"CREATE DATABASE `{Name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        }
        catch (MySqlException e)
        {
            throw new InvalidOperationException(
                $"The MySQL tests need a MariaDB / MySQL server at {builder.Server}:{builder.Port} (start one with scripts/mariadb-start, or set {Variable}): {e.Message}", e);
        }
        builder.Database = Name;
        ConnectionString = builder.ConnectionString;
    }

    public static string Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnv ? fromEnv : DefaultServer;

    public string Name { get; }

    public string ConnectionString { get; }

    private string Admin { get; }

    public DatabaseSettings Settings => DatabaseSettings.MySql(ConnectionString);

    public long Scalar(string sql)
    {
        using var connection = new MySqlConnection(ConnectionString);
        connection.Open();
        using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar());
    }

    private void Execute(string sql)
    {
        using var connection = new MySqlConnection(Admin);
        connection.Open();
        using var command = new MySqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        try
        {
            Execute($"DROP DATABASE IF EXISTS `{Name}`");
        }
        catch (MySqlException)
        {
        }
    }
}
