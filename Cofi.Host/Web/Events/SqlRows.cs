using System.Data.Common;

namespace Cofi.Host.Web.Events;

/// <summary>Running parameterised SQL over a raw connection and reading its columns, shared by the read-model queries.</summary>
public static class SqlRows
{
    /// <summary>A LIKE pattern that matches <paramref name="text"/> literally ('!' escapes the wildcards).</summary>
    public static string Like(string text) => text.Replace("!", "!!").Replace("%", "!%").Replace("_", "!_");

    public static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static int? Int(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt32(r.GetValue(i));

    /// <summary>The read model stores UTC without an offset.</summary>
    public static DateTimeOffset Utc(DbDataReader r, int i) => new(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));

    public static DbCommand Command(DbConnection connection, string sql, IEnumerable<(string Name, object Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public static async Task<object?> ScalarAsync(DbConnection connection, string sql, IEnumerable<(string, object)> parameters, CancellationToken cancel)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync(cancel);
    }

    public static async Task<List<T>> ReadAsync<T>(DbConnection connection, string sql, IEnumerable<(string, object)> parameters,
        Func<DbDataReader, T> read, CancellationToken cancel)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancel)) rows.Add(read(reader));
        return rows;
    }
}
