# genint-gan directions: GANSpace direction discovery (streamed PCA or gen_z's closed form) into a directions file.
target_sources(genint-gan PRIVATE directions_command.cpp)
