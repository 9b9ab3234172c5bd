module ksampler.test/cpusplit

go 1.15
