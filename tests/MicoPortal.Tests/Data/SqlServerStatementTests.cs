using MicoPortal.Server.Data;
using MicoPortal.Server.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Data;

/// <summary>
/// SQL Server cannot run on the build machines, so its hand-written statements (claims, intake's
/// insert-if-absent, row locks) and the partial-index filters are parsed with SQL Server's own T-SQL
/// parser (ScriptDom, SQL Server 2022 grammar), and the parse tree is checked for the locking hints and
/// clauses the concurrency rests on. Names are checked against the model in <see cref="HandWrittenSqlTests"/>.
/// </summary>
public class SqlServerStatementTests(ITestOutputHelper output)
{
    public static TheoryData<string> Statements()
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        return [.. OrderSql.Of(db).All().Select(s => s.Name)];
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void Every_SQL_Server_statement_parses_as_T_SQL(string name)
    {
        var sql = Statement(name);
        var script = Parse(sql, out var errors);
        Assert.True(errors.Count == 0, $"{name}:\n{sql}\n{Describe(errors)}");
        Assert.Single(Assert.Single(script.Batches).Statements);
    }

    /// <summary>The plain statements of the hot path's writer (<see cref="RowWriter"/>), for every type it writes.</summary>
    [Fact]
    public void The_row_writers_statements_parse_as_T_SQL()
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        (string Type, (string Insert, string Update) Sql)[] written =
        [
            (nameof(MicoPortal.Server.Orders.Order), RowWriter.Statements<MicoPortal.Server.Orders.Order>(db, 3)),
            (nameof(MicoPortal.Server.Orders.OrderAttempt), RowWriter.Statements<MicoPortal.Server.Orders.OrderAttempt>(db, 3)),
            (nameof(MicoPortal.Server.Audit.AuditEntry), RowWriter.Statements<MicoPortal.Server.Audit.AuditEntry>(db, 3)),
            (nameof(MicoPortal.Server.Notifications.CustomerNotification), RowWriter.Statements<MicoPortal.Server.Notifications.CustomerNotification>(db, 3)),
            (nameof(ProcessedCallback), RowWriter.Statements<ProcessedCallback>(db, 3)),
        ];
        foreach (var (type, (insert, update)) in written)
        {
            // One insert of three rows; an update of three rows is three statements in one command.
            foreach (var (sql, statements) in new[] { (insert, 1), (update, 3) })
            {
                output.WriteLine($"{type}: {sql}");
                var script = Parse(sql, out var errors);
                Assert.True(errors.Count == 0, $"{type}:\n{sql}\n{Describe(errors)}");
                Assert.Equal(statements, Assert.Single(script.Batches).Statements.Count);
                Assert.Contains("[", sql, StringComparison.Ordinal);
                Assert.DoesNotContain("\"", sql, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The test of the test: the parser refuses broken T-SQL and the other dialects' statements.</summary>
    [Fact]
    public void Broken_or_foreign_statements_do_not_parse()
    {
        using var sqlServer = SqlModels.Context(DatabaseProvider.SqlServer);
        using var postgres = SqlModels.Context(DatabaseProvider.PostgreSql);
        using var sqlite = SqlModels.Context(DatabaseProvider.Sqlite);
        var claim = OrderSql.Of(sqlServer).Claim(dispatch: true);
        string[] broken =
        [
            claim.Replace("ROWLOCK)", "ROWLOCK", StringComparison.Ordinal), // an unclosed hint list
            claim.Replace("TOP (@size)", "TOP @size", StringComparison.Ordinal), // a variable TOP needs its parentheses
            OrderSql.Of(sqlServer).IntakeInsert.Replace("NOT EXISTS (", "NOT EXISTS", StringComparison.Ordinal),
            OrderSql.Of(postgres).Claim(dispatch: true), // LIMIT ... FOR UPDATE SKIP LOCKED
            OrderSql.Of(sqlite).IntakeInsert, // ON CONFLICT ... RETURNING
            OrderSql.Of(sqlite).ReadinessProbe, // LIMIT 1
        ];
        foreach (var sql in broken)
        {
            Parse(sql, out var errors);
            output.WriteLine($"{Describe(errors)}\n");
            Assert.NotEmpty(errors);
        }
    }

    /// <summary>
    /// The filters as SQL Server gets them (<c>Data/SqlServerModel.cs</c>), in the <c>CREATE INDEX</c> the
    /// migrations would run and in a query's WHERE.
    /// </summary>
    [Fact]
    public void Every_partial_index_filter_parses_as_T_SQL()
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        var indexes = SqlModels.DesignTimeModel(db).GetEntityTypes().SelectMany(e => e.GetDeclaredIndexes()).Where(i => i.GetFilter() is not null).ToList();
        Assert.Contains(indexes, i => i.GetDatabaseName() == OrderClaims.DispatchIndex);
        foreach (var index in indexes)
        {
            var table = index.DeclaringEntityType.GetTableName();
            var columns = string.Join(", ", index.Properties.Select(p => $"[{p.GetColumnName()}]"));
            var filter = index.GetFilter()!;
            output.WriteLine($"{index.GetDatabaseName()}: {filter}");
            foreach (var sql in new[]
            {
                $"CREATE INDEX [{index.GetDatabaseName()}] ON [{table}] ({columns}) WHERE {filter}",
                $"SELECT {columns} FROM [{table}] WHERE {filter}",
            })
            {
                var script = Parse(sql, out var errors);
                Assert.True(errors.Count == 0, $"{sql}\n{Describe(errors)}");
                var statement = Assert.Single(Assert.Single(script.Batches).Statements);
                if (statement is CreateIndexStatement create)
                {
                    Assert.NotNull(create.FilterPredicate);
                }
            }
        }
    }

    /// <summary>Everything the SQL Server migrations would run, filters included, is T-SQL.</summary>
    [Fact]
    public void The_SQL_Server_migrations_script_parses_as_T_SQL()
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript();
        var parsed = Parse(script, out var errors);
        Assert.True(errors.Count == 0, Describe(errors));
        var filtered = new Collector<CreateIndexStatement>();
        parsed.Accept(filtered);
        output.WriteLine($"{parsed.Batches.Count} batches; filtered indexes: {string.Join(", ", filtered.Found.Where(i => i.FilterPredicate is not null).Select(i => i.Name.Value))}");
        Assert.Contains(filtered.Found, i => i.Name.Value == OrderClaims.DispatchIndex && i.FilterPredicate is not null);
    }

    /// <summary>
    /// The claim is one statement: a CTE of the oldest due rows, <c>TOP (@size)</c>, read
    /// <c>WITH (UPDLOCK, READPAST, ROWLOCK)</c> so another instance's claimed rows are skipped, not waited
    /// for; the UPDATE through it leases them and <c>OUTPUT</c>s their ids.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_claim_is_one_UPDATE_through_a_CTE_that_skips_locked_rows(bool dispatch)
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        var update = Assert.IsType<UpdateStatement>(Single(OrderSql.Of(db).Claim(dispatch)));

        var cte = Assert.Single(update.WithCtesAndXmlNamespaces.CommonTableExpressions);
        var due = Assert.IsType<QuerySpecification>(cte.QueryExpression);
        Assert.Equal("@size", Assert.IsType<VariableReference>(Unparenthesized(due.TopRowFilter.Expression)).Name);
        Assert.False(due.TopRowFilter.Percent);
        Assert.NotNull(due.OrderByClause);
        var orders = Assert.IsType<NamedTableReference>(Assert.Single(due.FromClause.TableReferences));
        Assert.Equal(OrdersTable(db), orders.SchemaObject.BaseIdentifier.Value);
        Assert.Equal([TableHintKind.UpdLock, TableHintKind.ReadPast, TableHintKind.Rowlock], orders.TableHints.Select(h => h.HintKind));

        var spec = update.UpdateSpecification;
        Assert.Equal(cte.ExpressionName.Value, Assert.IsType<NamedTableReference>(spec.Target).SchemaObject.BaseIdentifier.Value);
        Assert.Equal(dispatch ? 3 : 2, spec.SetClauses.Count); // lease, token (and create-issued)
        Assert.Null(spec.FromClause);
        AssertOutputsInsertedId(db, spec.OutputClause);
    }

    /// <summary>
    /// Insert-if-absent: one INSERT ... SELECT whose <c>NOT EXISTS</c> reads under <c>UPDLOCK, HOLDLOCK</c> (a
    /// key-range lock until commit, so a concurrent insert of the same key waits), one value per column,
    /// and the new id in <c>OUTPUT</c>.
    /// </summary>
    [Fact]
    public void Intake_inserts_if_absent_under_a_key_range_lock()
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        var insert = Assert.IsType<InsertStatement>(Single(OrderSql.Of(db).IntakeInsert)).InsertSpecification;
        Assert.Equal(OrdersTable(db), Assert.IsType<NamedTableReference>(insert.Target).SchemaObject.BaseIdentifier.Value);
        AssertOutputsInsertedId(db, insert.OutputClause);

        var values = Assert.IsType<QuerySpecification>(Assert.IsType<SelectInsertSource>(insert.InsertSource).Select);
        Assert.Equal(insert.Columns.Count, values.SelectElements.Count);
        var notExists = Assert.IsType<BooleanNotExpression>(values.WhereClause.SearchCondition);
        var existing = Assert.IsType<QuerySpecification>(Assert.IsType<ExistsPredicate>(notExists.Expression).Subquery.QueryExpression);
        var orders = Assert.IsType<NamedTableReference>(Assert.Single(existing.FromClause.TableReferences));
        Assert.Equal(OrdersTable(db), orders.SchemaObject.BaseIdentifier.Value);
        Assert.Equal([TableHintKind.UpdLock, TableHintKind.HoldLock], orders.TableHints.Select(h => h.HintKind));
    }

    [Fact]
    public void Row_locks_are_one_SELECT_with_UPDLOCK_and_ROWLOCK()
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        var select = Assert.IsType<SelectStatement>(Single(OrderSql.Of(db).LockRows("3,5,8")));
        var query = Assert.IsType<QuerySpecification>(select.QueryExpression);
        var orders = Assert.IsType<NamedTableReference>(Assert.Single(query.FromClause.TableReferences));
        Assert.Equal([TableHintKind.UpdLock, TableHintKind.Rowlock], orders.TableHints.Select(h => h.HintKind));
        Assert.Equal(3, Assert.IsType<InPredicate>(query.WhereClause.SearchCondition).Values.Count);
    }

    private static string Statement(string name)
    {
        using var db = SqlModels.Context(DatabaseProvider.SqlServer);
        return OrderSql.Of(db).All().Single(s => s.Name == name).Sql;
    }

    private static string OrdersTable(PortalDbContext db) => SqlModels.Orders(SqlModels.DesignTimeModel(db)).GetTableName()!;

    private static TSqlScript Parse(string sql, out IList<ParseError> errors)
    {
        using var reader = new StringReader(sql);
        return (TSqlScript)new TSql160Parser(initialQuotedIdentifiers: true).Parse(reader, out errors);
    }

    private static TSqlStatement Single(string sql)
    {
        var script = Parse(sql, out var errors);
        Assert.True(errors.Count == 0, $"{sql}\n{Describe(errors)}");
        return Assert.Single(Assert.Single(script.Batches).Statements);
    }

    private static void AssertOutputsInsertedId(PortalDbContext db, OutputClause? outputClause)
    {
        var id = SqlModels.Orders(SqlModels.DesignTimeModel(db)).FindPrimaryKey()!.Properties.Single().GetColumnName();
        Assert.NotNull(outputClause);
        var column = Assert.IsType<SelectScalarExpression>(Assert.Single(outputClause.SelectColumns));
        var reference = Assert.IsType<ColumnReferenceExpression>(column.Expression);
        Assert.Equal(["inserted", id], reference.MultiPartIdentifier.Identifiers.Select(i => i.Value));
    }

    private static ScalarExpression Unparenthesized(ScalarExpression expression) =>
        expression is ParenthesisExpression parenthesis ? Unparenthesized(parenthesis.Expression) : expression;

    private static string Describe(IList<ParseError> errors) =>
        string.Join("\n", errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}"));

    private sealed class Collector<T> : TSqlFragmentVisitor where T : TSqlFragment
    {
        public List<T> Found { get; } = [];

        public override void Visit(TSqlFragment fragment)
        {
            if (fragment is T found)
            {
                Found.Add(found);
            }
        }
    }
}
