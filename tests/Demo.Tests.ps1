# ./build.ps1 Demo: the seed article's comparison, linear time beside the parallel one, and the order.

Describe 'bench/Demo.ps1' {
    It 'prints the linear time (saying it is computed), the parallel time, the speed-up and that the output is in order' {
        $demo = Join-Path $PSScriptRoot '../bench/Demo.ps1'
        $lines = @(& dotnet pwsh -NoProfile -NonInteractive -File $demo -ModulePath $env:PARALLELJOBS_MODULE)

        $LASTEXITCODE | Should -Be 0
        $lines[0] | Should -Match '^Linear execution took 10\.0000 seconds \(computed: 20 items x 0\.5 s'
        $lines[1] | Should -Match '^Parallel execution took \d+\.\d{4} seconds \(10 at a time'
        $lines[2] | Should -Match '^Speed-up: \d+\.\dx \(10 workers make it at most 10x\)$'
        $lines | Should -Contain 'Results in input order: yes, sqrt(100), sqrt(200), ..., sqrt(2000), as the loop gives them'
        $lines[-1] | Should -BeLike '`[10, 14.142135623730951, *, 44.721359549995796`]'
        ($lines -join "`n") | Should -Not -Match 'limit'
        $speedUp = [double]($lines[2] -replace '^Speed-up: ([\d.]+)x.*$', '$1')
        $speedUp | Should -BeGreaterThan 3 -Because 'ten workers on sleeping items beat the loop by far, even on a busy machine'
    }
}
