using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MetricsMinutes",
                columns: table => new
                {
                    Minute = table.Column<long>(type: "INTEGER", nullable: false),
                    Sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Instance = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Received = table.Column<long>(type: "INTEGER", nullable: false),
                    Delivered = table.Column<long>(type: "INTEGER", nullable: false),
                    Failed = table.Column<long>(type: "INTEGER", nullable: false),
                    Reversed = table.Column<long>(type: "INTEGER", nullable: false),
                    LatencyBuckets = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricsMinutes", x => new { x.Minute, x.Sku, x.Region, x.Instance });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Disputed",
                table: "Orders",
                column: "Disputed");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Stuck",
                table: "Orders",
                column: "Stuck");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MetricsMinutes");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Disputed",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Stuck",
                table: "Orders");
        }
    }
}
